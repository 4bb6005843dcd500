-- wrk script for bench/housing.py: signed-in citizens at the month's end, viewing their
-- meters and submitting readings with their personal API tokens.
--
--   wrk ... -s bench/meters_mix.lua http://127.0.0.1:PORT -- CITIZENS MODE NONCE RESULTS
--
-- CITIZENS holds one citizen a line: "TOKEN PREMISES_ID COLD_ID HOT_ID COLD_LAST HOT_LAST"
-- (the last two: last month's accepted readings). MODE is "mix" (70 % view, 30 % submit),
-- "view" or "submit". Each request picks a citizen at random. A view is GET
-- /api/v1/housing/premises; a submission POSTs both meters' readings with an
-- Idempotency-Key no other request of the benchmark has (NONCE, thread, counter) and
-- values 1 to 21 m³ above last month's: always accepted, below the warning limit of two
-- residents, and different from the one before, so every submission writes a new version.
-- At the end the threads' counts of 200 (views), 201 (accepted submissions) and anything
-- else (errors) are written to RESULTS, one "name count" a line.

local citizens = {}
local submit_share = 0.3
local nonce = "0"
local counter = 0
local threads = {}
-- Globals, not locals: done() runs in the main state and reads them with thread:get().
views = 0
submissions = 0
errors = 0
results_path = nil
local next_thread_id = 0

local SHARES = { mix = 0.3, view = 0.0, submit = 1.0 }

function setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
  table.insert(threads, thread)
end

function init(args)
  local file, mode = args[1], args[2]
  if file == nil or SHARES[mode] == nil or args[3] == nil then
    error("usage: -- CITIZENS mix|view|submit NONCE [RESULTS]")
  end
  for line in io.lines(file) do
    local token, premises, cold, hot, cold_last, hot_last =
      line:match("^(%S+) (%d+) (%d+) (%d+) ([%d.]+) ([%d.]+)$")
    if token then
      citizens[#citizens + 1] = {
        auth = "Bearer " .. token,
        path = "/api/v1/housing/premises/" .. premises .. "/readings",
        cold = cold,
        hot = hot,
        cold_last = tonumber(cold_last),
        hot_last = tonumber(hot_last),
      }
    end
  end
  if #citizens == 0 then
    error("no citizens in " .. file)
  end
  submit_share = SHARES[mode]
  nonce = args[3]
  results_path = args[4]
  math.randomseed(os.time() * 100 + (thread_id or 0))
end

function request()
  local citizen = citizens[math.random(#citizens)]
  if math.random() >= submit_share then
    return wrk.format("GET", "/api/v1/housing/premises", { Authorization = citizen.auth })
  end
  counter = counter + 1
  local step = 1 + (counter % 20000) / 1000
  local body = string.format(
    '{"readings": [{"meter_id": %s, "value": "%.3f"}, {"meter_id": %s, "value": "%.3f"}]}',
    citizen.cold, citizen.cold_last + step, citizen.hot, citizen.hot_last + step
  )
  return wrk.format("POST", citizen.path, {
    Authorization = citizen.auth,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%s-%d-%d", nonce, thread_id or 0, counter),
  }, body)
end

function response(status, headers, body)
  if status == 201 then
    submissions = submissions + 1
  elseif status == 200 then
    views = views + 1
  else
    errors = errors + 1
    if errors <= 3 then
      io.stderr:write("status " .. status .. ": " .. (body or ""):sub(1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local totals = { views = 0, submissions = 0, errors = 0 }
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
