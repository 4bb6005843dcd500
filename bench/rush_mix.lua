-- wrk script for bench/health.py: the 08:00 rush, signed-in citizens listing a day's free
-- slots and booking them with their personal API tokens.
--
--   wrk ... -s bench/rush_mix.lua http://127.0.0.1:PORT -- PLAN MODE THREADS RESULTS
--
-- PLAN holds tagged lines, written by bench/health.py:
--   specialty K ID                 the K-th specialty booked (1, 2, 3)
--   day I YYYY-MM-DD               the I-th day a listing may ask for (today .. last open day)
--   citizen TOKEN PERSON_ID ORG    a citizen and their clinic (1-based), in order
--   slot ID ORG K R                a bookable slot of clinic ORG, specialty K, whose day is
--                                  R (0, 1 or 2) modulo 3, counted from tomorrow; soonest
--                                  first
-- MODE is "mix" (80 % list, 20 % book), "list" or "book"; THREADS is wrk's -t.
--
-- A listing is GET /api/v1/health/clinics/{id}/slots?specialty=&date= (the citizen's clinic's board) for a citizen, a
-- specialty and a day picked at random. A booking POSTs /api/v1/health/appointments for a
-- (citizen, specialty) ticket dealt from this thread's shuffled deck and a slot of that
-- clinic and specialty, free or not: half the time one of the soonest HOT of the ticket's
-- day group (what most people want, so bookings race for them), else any. A taken one
-- answers 409 slot_taken, which is counted, not an error. The deck keeps every other
-- refusal out:
-- - each thread deals only its own citizens (number modulo THREADS), and each ticket once,
--   so no two bookings of one person in one specialty are ever sent (the bench cancels
--   what a run booked before the next run);
-- - citizen C books specialty K only on days whose number is (K - 1 - C) modulo 3, so one
--   citizen's bookings in different specialties fall on different days and never overlap.
-- A thread whose deck runs out lists instead and counts it under "exhausted".
-- At the end the counts of listings (200 with "open_until"), bookings (201), slot_taken
-- (409), replays (200 with "created"), exhausted decks and anything else (errors) are
-- written to RESULTS, one "name count" a line.

local CLINICS = "/api/v1/health/clinics/"
local BOOK = "/api/v1/health/appointments"
local SHARES = { mix = 0.2, list = 0.0, book = 1.0 }
local HOT = 20
local HOT_SHARE = 0.5

local specialties = {}
local days = {}
local citizens = {}
-- pools[org][k][r]: slot ids of clinic org, specialty k, day number r modulo 3.
local pools = {}
local deck = {}
local dealt = 0
local book_share = 0
local threads = {}
local next_thread_id = 0
-- Globals, not locals: done() runs in the main state and reads them with thread:get().
listed = 0
booked = 0
taken = 0
replays = 0
exhausted = 0
errors = 0
results_path = nil

function setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
  table.insert(threads, thread)
end

local function read_plan(path)
  for line in io.lines(path) do
    local tag, rest = line:match("^(%a+) (.*)$")
    if tag == "specialty" then
      local k, id = rest:match("^(%d+) (%d+)$")
      specialties[tonumber(k)] = id
    elseif tag == "day" then
      local i, day = rest:match("^(%d+) (%S+)$")
      days[tonumber(i)] = day
    elseif tag == "citizen" then
      local token, person, org, organisation = rest:match("^(%S+) (%d+) (%d+) (%d+)$")
      citizens[#citizens + 1] = {
        auth = "Bearer " .. token,
        person = person,
        org = tonumber(org),
        list = CLINICS .. organisation .. "/slots?specialty=",
      }
    elseif tag == "slot" then
      local id, org, k, r = rest:match("^(%d+) (%d+) (%d+) (%d+)$")
      org, k, r = tonumber(org), tonumber(k), tonumber(r)
      pools[org] = pools[org] or {}
      pools[org][k] = pools[org][k] or { [0] = {}, [1] = {}, [2] = {} }
      local pool = pools[org][k][r]
      pool[#pool + 1] = id
    end
  end
end

local function deal(thread_number, thread_count)
  for c = thread_number, #citizens, thread_count do
    for k = 1, #specialties do
      local r = (k - 1 - (c - 1)) % 3
      local pool = pools[citizens[c].org] and pools[citizens[c].org][k] and pools[citizens[c].org][k][r]
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
  local plan, mode, thread_count = args[1], args[2], tonumber(args[3] or "")
  if plan == nil or SHARES[mode] == nil or thread_count == nil then
    error("usage: -- PLAN mix|list|book THREADS [RESULTS]")
  end
  math.randomseed(os.time() * 100 + (thread_id or 0))
  read_plan(plan)
  if #citizens == 0 or #specialties == 0 or #days == 0 then
    error("no citizens, specialties or days in " .. plan)
  end
  deal(thread_id or 1, thread_count)
  book_share = SHARES[mode]
  results_path = args[4]
end

local function listing()
  local citizen = citizens[math.random(#citizens)]
  local path = citizen.list .. specialties[math.random(#specialties)] .. "&date=" .. days[math.random(#days)]
  return wrk.format("GET", path, { Authorization = citizen.auth })
end

function request()
  if book_share == 0 or math.random() >= book_share then
    return listing()
  end
  dealt = dealt + 1
  local ticket = deck[dealt]
  if ticket == nil then
    exhausted = exhausted + 1
    return listing()
  end
  local pool = ticket.pool
  local slot = pool[math.random(math.random() < HOT_SHARE and math.min(HOT, #pool) or #pool)]
  local body = '{"person_id": ' .. ticket.citizen.person .. ', "slot_id": ' .. slot .. "}"
  return wrk.format("POST", BOOK, {
    Authorization = ticket.citizen.auth,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  body = body or ""
  if status == 200 and body:find('"open_until"', 1, true) then
    listed = listed + 1
  elseif status == 201 then
    booked = booked + 1
  elseif status == 409 and body:find('"slot_taken"', 1, true) then
    taken = taken + 1
  elseif status == 200 and body:find('"created"', 1, true) then
    replays = replays + 1
  else
    errors = errors + 1
    if errors <= 3 then
      io.stderr:write("status " .. status .. ": " .. body:sub(1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local totals = { listed = 0, booked = 0, taken = 0, replays = 0, exhausted = 0, errors = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  local path = threads[1]:get("results_path")
  local results = path and io.open(path, "w") or io.stdout
  for name, count in pairs(totals) do
    results:write(name .. " " .. count .. "\n")
  end
  if results ~= io.stdout then
    results:close()
  end
end
