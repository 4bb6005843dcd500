-- wrk script for bench/health_record.py: signed-in citizens opening the first page of
-- their medical record's timeline, on the portal or through the API.
--
--   wrk ... -s bench/record_mix.lua http://127.0.0.1:PORT -- CITIZENS MODE COOKIE RESULTS
--
-- CITIZENS holds one citizen a line: "SESSION_KEY TOKEN PERSON_ID". MODE is "web"
-- (GET /health/record/ID/ with the session cookie named COOKIE) or "api" (GET
-- /api/v1/health/record/ID/timeline with the personal API token). Each request picks a
-- citizen at random. At the end the threads' counts of 200 answers (pages) and of anything
-- else (errors) are written to RESULTS, one "name count" a line.

local citizens = {}
local mode = "web"
local cookie_name = "sessionid"
local threads = {}
-- Globals, not locals: done() runs in the main state and reads them with thread:get().
pages = 0
errors = 0
results_path = nil
local next_thread_id = 0

function setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
  table.insert(threads, thread)
end

function init(args)
  local file = args[1]
  mode, cookie_name, results_path = args[2], args[3], args[4]
  if file == nil or (mode ~= "web" and mode ~= "api") or cookie_name == nil then
    error("usage: -- CITIZENS web|api COOKIE [RESULTS]")
  end
  for line in io.lines(file) do
    local session, token, person = line:match("^(%S+) (%S+) (%d+)$")
    if session then
      citizens[#citizens + 1] = {
        web = { path = "/health/record/" .. person .. "/", headers = { Cookie = cookie_name .. "=" .. session } },
        api = {
          path = "/api/v1/health/record/" .. person .. "/timeline",
          headers = { Authorization = "Bearer " .. token },
        },
      }
    end
  end
  if #citizens == 0 then
    error("no citizens in " .. file)
  end
  math.randomseed(os.time() * 100 + (thread_id or 0))
end

function request()
  local look = citizens[math.random(#citizens)][mode]
  return wrk.format("GET", look.path, look.headers)
end

function response(status, headers, body)
  if status == 200 then
    pages = pages + 1
  else
    errors = errors + 1
    if errors <= 3 then
      io.stderr:write("status " .. status .. ": " .. (body or ""):sub(1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local totals = { pages = 0, errors = 0 }
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
