-- wrk script for bench/city.py: the city mix, requests weighted like the city's published
-- usage, each as a signed-in citizen picked at random.
--
--   wrk ... -s bench/city_mix.lua http://127.0.0.1:PORT -- PLAN THREADS NONCE RESULTS
--
-- PLAN holds tagged lines, written by bench/city.py:
--   cookie NAME                    the session cookie's name
--   kind NAME WEIGHT               a kind of request and its share (weights add up to 100)
--   answer CLASS STATUS WHERE TEXT an answer's class: its status and TEXT at the body's
--                                  start (WHERE "start") or anywhere in it ("anywhere")
--   citizen SESSION TOKEN PERSON PREMISES COLD HOT COLD_LAST HOT_LAST ORG ORG_ID
--   specialty K ID                 the K-th specialty booked (1, 2, 3)
--   day I YYYY-MM-DD               the I-th day a listing may ask for
--   slot ID ORG K R                a bookable slot (as in bench/rush_mix.lua), soonest first
--   query PATH                     a search request path (the search eval queries)
--   page KIND PATH                 a portal page of kind home, service or category
-- THREADS is wrk's -t; NONCE makes this run's Idempotency-Keys unique.
--
-- Kinds: record_page (GET /health/record/ID/, cookie), record_api (GET
-- /api/v1/health/record/ID/timeline, token), meter_view (GET /api/v1/housing/premises),
-- meter_submit (POST both meters' readings, a fresh Idempotency-Key, values 1 to 21 m³ above
-- last month's: always accepted), slot_list (GET the citizen's clinic's board for a
-- specialty and day at random), booking (POST /api/v1/health/appointments from a ticket
-- dealt as bench/rush_mix.lua deals them: never a second booking of one person in one
-- specialty, never an overlap), search (GET /api/v1/services?q=, the eval queries in
-- turn, the token sent), home, service and category (portal pages, cookie).
--
-- wrk does not say which request an answer belongs to, so every answer is classified by
-- the PLAN's answer lines; one that fits none is an error. At the end the counts of
-- requests sent by kind ("sent_KIND"), answers by class, exhausted ticket decks and errors
-- are written to RESULTS, one "name count" a line; bench/city.py checks them.

local kinds = {}
local answers = {}
local citizens = {}
local specialties = {}
local days = {}
local pools = {}
local queries = {}
local pages = {}
local deck = {}
local dealt = 0
local counter = 0
local query_turn = 0
local cookie_name = "sessionid"
local nonce = "0"
local threads = {}
local next_thread_id = 0
-- Globals, not locals: done() runs in the main state and reads them with thread:get().
counts = {}
results_path = nil

function setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
  table.insert(threads, thread)
end

local function count(name)
  counts[name] = (counts[name] or 0) + 1
end

local function read_plan(path)
  local total = 0
  for line in io.lines(path) do
    local tag, rest = line:match("^(%a+) (.*)$")
    if tag == "cookie" then
      cookie_name = rest
    elseif tag == "kind" then
      local name, weight = rest:match("^(%S+) ([%d.]+)$")
      total = total + tonumber(weight)
      kinds[#kinds + 1] = { name = name, upto = total }
    elseif tag == "answer" then
      local class, status, where, text = rest:match("^(%S+) (%d+) (%a+) (.*)$")
      answers[#answers + 1] = { class = class, status = tonumber(status), start = where == "start", text = text }
    elseif tag == "citizen" then
      local s, t, person, premises, cold, hot, cold_last, hot_last, org, organisation =
        rest:match("^(%S+) (%S+) (%d+) (%d+) (%d+) (%d+) ([%d.]+) ([%d.]+) (%d+) (%d+)$")
      citizens[#citizens + 1] = {
        cookie = { Cookie = cookie_name .. "=" .. s },
        auth = "Bearer " .. t,
        person = person,
        record_page = "/health/record/" .. person .. "/",
        record_api = "/api/v1/health/record/" .. person .. "/timeline",
        readings = "/api/v1/housing/premises/" .. premises .. "/readings",
        cold = cold,
        hot = hot,
        cold_last = tonumber(cold_last),
        hot_last = tonumber(hot_last),
        org = tonumber(org),
        slots = "/api/v1/health/clinics/" .. organisation .. "/slots?specialty=",
      }
    elseif tag == "specialty" then
      local k, id = rest:match("^(%d+) (%d+)$")
      specialties[tonumber(k)] = id
    elseif tag == "day" then
      local i, day = rest:match("^(%d+) (%S+)$")
      days[tonumber(i)] = day
    elseif tag == "slot" then
      local id, org, k, r = rest:match("^(%d+) (%d+) (%d+) (%d+)$")
      org, k, r = tonumber(org), tonumber(k), tonumber(r)
      pools[org] = pools[org] or {}
      pools[org][k] = pools[org][k] or { [0] = {}, [1] = {}, [2] = {} }
      local pool = pools[org][k][r]
      pool[#pool + 1] = id
    elseif tag == "query" then
      queries[#queries + 1] = rest
    elseif tag == "page" then
      local kind, path = rest:match("^(%S+) (%S+)$")
      pages[kind] = pages[kind] or {}
      table.insert(pages[kind], path)
    end
  end
  for _, kind in ipairs(kinds) do
    kind.upto = kind.upto / total
  end
end

-- As bench/rush_mix.lua: this thread's own citizens, each specialty once, on the day group
-- that keeps one citizen's bookings apart; shuffled.
local function deal(thread_number, thread_count)
  for c = thread_number, #citizens, thread_count do
    for k = 1, #specialties do
      local r = (k - 1 - (c - 1)) % 3
      local by_org = pools[citizens[c].org]
      local pool = by_org and by_org[k] and by_org[k][r]
      if pool and #pool > 0 then
        deck[#deck + 1] = { citizen = citizens[c], pool = pool }
      end
    end
  end
  for i = #deck, 2, -1 do
    local j = math.random(i)
    deck[i], deck[j] = deck[j], deck[i]
  end
end

function init(args)
  local plan, thread_count = args[1], tonumber(args[2] or "")
  if plan == nil or thread_count == nil or args[3] == nil then
    error("usage: -- PLAN THREADS NONCE [RESULTS]")
  end
  math.randomseed(os.time() * 100 + (thread_id or 0))
  read_plan(plan)
  if #kinds == 0 or #answers == 0 or #citizens == 0 or #queries == 0 then
    error("no kinds, answers, citizens or queries in " .. plan)
  end
  deal(thread_id or 1, thread_count)
  nonce = args[3]
  results_path = args[4]
  -- Threads start at different places in the query list, so they do not ask in lockstep.
  query_turn = ((thread_id or 1) - 1) * math.floor(#queries / 2)
end

local function slot_list(citizen)
  local day = days[math.random(#days)]
  local path = citizen.slots .. specialties[math.random(#specialties)] .. "&date=" .. day
  return wrk.format("GET", path, { Authorization = citizen.auth })
end

local function booking()
  dealt = dealt + 1
  local ticket = deck[dealt]
  if ticket == nil then
    count("exhausted")
    return nil
  end
  local pool = ticket.pool
  -- Half the time one of the soonest 20, as in the rush.
  local slot = pool[math.random(math.random() < 0.5 and math.min(20, #pool) or #pool)]
  local body = '{"person_id": ' .. ticket.citizen.person .. ', "slot_id": ' .. slot .. "}"
  return wrk.format("POST", "/api/v1/health/appointments", {
    Authorization = ticket.citizen.auth,
    ["Content-Type"] = "application/json",
  }, body)
end

local function meter_submit(citizen)
  counter = counter + 1
  local step = 1 + (counter % 20000) / 1000
  local body = string.format(
    '{"readings": [{"meter_id": %s, "value": "%.3f"}, {"meter_id": %s, "value": "%.3f"}]}',
    citizen.cold, citizen.cold_last + step, citizen.hot, citizen.hot_last + step
  )
  return wrk.format("POST", citizen.readings, {
    Authorization = citizen.auth,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("city-%s-%d-%d", nonce, thread_id or 0, counter),
  }, body)
end

local function build(kind, citizen)
  if kind == "record_page" then
    return wrk.format("GET", citizen.record_page, citizen.cookie)
  elseif kind == "record_api" then
    return wrk.format("GET", citizen.record_api, { Authorization = citizen.auth })
  elseif kind == "meter_view" then
    return wrk.format("GET", "/api/v1/housing/premises", { Authorization = citizen.auth })
  elseif kind == "meter_submit" then
    return meter_submit(citizen)
  elseif kind == "slot_list" then
    return slot_list(citizen)
  elseif kind == "booking" then
    return booking()
  elseif kind == "search" then
    query_turn = query_turn + 1
    return wrk.format("GET", queries[(query_turn % #queries) + 1], { Authorization = citizen.auth })
  end
  local list = pages[kind]
  return wrk.format("GET", list[math.random(#list)], citizen.cookie)
end

function request()
  local draw = math.random()
  local kind = kinds[#kinds].name
  for _, candidate in ipairs(kinds) do
    if draw < candidate.upto then
      kind = candidate.name
      break
    end
  end
  local citizen = citizens[math.random(#citizens)]
  local built = build(kind, citizen)
  if built == nil then
    -- No ticket left: a listing instead, so the run goes on; city.py fails it afterwards.
    kind = "slot_list"
    built = slot_list(citizen)
  end
  count("sent_" .. kind)
  return built
end

function response(status, headers, body)
  body = body or ""
  for _, answer in ipairs(answers) do
    if status == answer.status then
      local found
      if answer.start then
        found = body:sub(1, #answer.text) == answer.text
      else
        found = body:find(answer.text, 1, true) ~= nil
      end
      if found then
        count(answer.class)
        return
      end
    end
  end
  count("errors")
  if (counts.errors or 0) <= 3 then
    io.stderr:write("status " .. status .. ": " .. body:sub(1, 300) .. "\n")
  end
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for name, value in pairs(thread:get("counts")) do
      totals[name] = (totals[name] or 0) + value
    end
  end
  local path = threads[1]:get("results_path")
  local results = path and io.open(path, "w") or io.stdout
  for name, value in pairs(totals) do
    results:write(name .. " " .. value .. "\n")
  end
  if results ~= io.stdout then
    results:close()
  end
end
