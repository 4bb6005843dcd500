-- wrk script for bench/school.py: parents opening their child's diary at the evening peak,
-- and teachers saving a class's marks for a lesson.
--
--   wrk ... -s bench/school_mix.lua http://127.0.0.1:PORT -- \
--       MODE PARENTS SAVES COOKIE WEEKS THREADS RESULTS
--
-- MODE is "peak" (half the week page, half the marks page), "week", "marks" or "save".
-- PARENTS holds one parent a line: "SESSION_KEY CHILD_ID"; each page request is a parent
-- at random, with the session cookie named COOKIE (each parent has one child, so the
-- pages need no ?student=). WEEKS is a comma-separated list of Mondays (YYYY-MM-DD): the
-- week page opens one of them at random.
-- SAVES holds one save a line: "TOKEN LESSON_ID BODY" (BODY: the JSON of the PUT). Thread
-- t of THREADS sends saves t, t + THREADS, t + 2·THREADS, … of the file, so no save is
-- sent twice in a run; when the file runs out a thread starts it again and counts
-- "wrapped" (the driver then fails the run: those saves change nothing).
-- At the end the threads' counts of 200 answers (ok), anything else (errors) and wrapped
-- saves are written to RESULTS, one "name count" a line.

local mode = "peak"
local parents = {}
local saves = {}
local weeks = {}
local cookie_name = "sessionid"
local thread_count = 1
local threads = {}
-- Globals, not locals: done() runs in the main state and reads them with thread:get().
ok = 0
errors = 0
wrapped = 0
sent = 0
results_path = nil
local next_thread_id = 0

local MODES = { peak = true, week = true, marks = true, save = true }

function setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  local parents_file, saves_file = args[2], args[3]
  cookie_name, results_path = args[4], args[7]
  thread_count = tonumber(args[6] or "")
  if not MODES[mode] or parents_file == nil or saves_file == nil or thread_count == nil then
    error("usage: -- peak|week|marks|save PARENTS SAVES COOKIE WEEKS THREADS [RESULTS]")
  end
  for week in (args[5] or ""):gmatch("[^,]+") do
    weeks[#weeks + 1] = week
  end
  if mode == "save" then
    for line in io.lines(saves_file) do
      local token, lesson, body = line:match("^(%S+) (%d+) (.+)$")
      if token then
        saves[#saves + 1] = {
          path = "/api/v1/school/journal/lessons/" .. lesson .. "/marks",
          headers = { Authorization = "Bearer " .. token, ["Content-Type"] = "application/json" },
          body = body,
        }
      end
    end
    if #saves == 0 then
      error("no saves in " .. saves_file)
    end
  else
    for line in io.lines(parents_file) do
      local session = line:match("^(%S+) %d+$")
      if session then
        parents[#parents + 1] = { Cookie = cookie_name .. "=" .. session }
      end
    end
    if #parents == 0 or #weeks == 0 then
      error("no parents in " .. parents_file .. " or no weeks")
    end
  end
  math.randomseed(os.time() * 100 + (thread_id or 0))
end

local function page(kind)
  local headers = parents[math.random(#parents)]
  if kind == "week" then
    return wrk.format("GET", "/school/?week=" .. weeks[math.random(#weeks)], headers)
  end
  return wrk.format("GET", "/school/marks/", headers)
end

function request()
  if mode == "save" then
    local index = sent * thread_count + (thread_id or 1) - 1
    sent = sent + 1
    if index >= #saves then
      wrapped = wrapped + 1
      index = index % #saves
    end
    local save = saves[index + 1]
    return wrk.format("PUT", save.path, save.headers, save.body)
  end
  if mode == "peak" then
    return page(math.random() < 0.5 and "week" or "marks")
  end
  return page(mode)
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  else
    errors = errors + 1
    if errors <= 3 then
      io.stderr:write("status " .. status .. ": " .. (body or ""):sub(1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local totals = { ok = 0, errors = 0, wrapped = 0 }
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
