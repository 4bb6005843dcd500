-- wrk script for bench/clubs.py: parents finding a group on the enrollment morning, and
-- applying all at once.
--
--   wrk ... -s bench/clubs_mix.lua http://127.0.0.1:PORT -- MODE FILE THREADS RESULTS
--
-- MODE "get": FILE holds one path a line; each request GETs one of them at random, with no
-- session (anonymous parents searching and reading group pages). Every answer must be 200.
-- MODE "apply": FILE holds one family a line, "TOKEN BODY" (BODY: the JSON of the POST,
-- {"child_id":…,"group_id":…}). Thread t of THREADS sends families t, t + THREADS,
-- t + 2·THREADS, … of the file, so each request is a family that has not applied yet;
-- when the file runs out a thread starts it again and counts "wrapped" (those families'
-- children have applied: their answer must be 409 already_applied, counted as "again").
-- An application answers 201: "waitlisted" counts those whose status says so.
-- MODE "mix": the enrollment morning at once: FILE holds the search paths (the page and
-- the API), FAMILIES (the 5th argument) the families as for "apply"; each request is a
-- search (GET, one of FILE at random) with probability SEARCH_SHARE (70 %), else the next
-- family's application. Searches answer 200 ("ok"), applications 201 ("created").
-- At the end the threads' counts are written to RESULTS, one "name count" a line: ok
-- (200), created (201), waitlisted, again, errors (anything else), wrapped, searched (the
-- searches the mix sent).

local SEARCH_SHARE = 0.7
local mode = "get"
local paths = {}
local families = {}
local thread_count = 1
local threads = {}
-- Globals, not locals: done() runs in the main state and reads them with thread:get().
ok = 0
created = 0
waitlisted = 0
again = 0
errors = 0
wrapped = 0
sent = 0
searched = 0
results_path = nil
local next_thread_id = 0

function setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
  table.insert(threads, thread)
end

function read_families(file)
  for line in io.lines(file) do
    local token, body = line:match("^(%S+) (.+)$")
    if token then
      families[#families + 1] = {
        headers = { Authorization = "Bearer " .. token, ["Content-Type"] = "application/json" },
        body = body,
      }
    end
  end
end

function init(args)
  mode = args[1]
  local file = args[2]
  thread_count = tonumber(args[3] or "")
  results_path = args[4]
  local families_file = args[5]
  if (mode ~= "get" and mode ~= "apply" and mode ~= "mix") or file == nil or thread_count == nil
    or (mode == "mix" and families_file == nil) then
    error("usage: -- get|apply FILE THREADS [RESULTS] | mix FILE THREADS RESULTS FAMILIES")
  end
  if mode == "mix" then
    read_families(families_file)
  end
  for line in io.lines(file) do
    if mode == "apply" then
      local token, body = line:match("^(%S+) (.+)$")
      if token then
        families[#families + 1] = {
          headers = { Authorization = "Bearer " .. token, ["Content-Type"] = "application/json" },
          body = body,
        }
      end
    elseif line ~= "" then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 and #families == 0 then
    error("nothing to send in " .. file)
  end
  math.randomseed(os.time() * 100 + (thread_id or 0))
end

function request()
  if mode == "mix" and math.random() < SEARCH_SHARE then
    searched = searched + 1
    return wrk.format("GET", paths[math.random(#paths)])
  end
  if mode == "apply" or mode == "mix" then
    local index = sent * thread_count + (thread_id or 1) - 1
    sent = sent + 1
    if index >= #families then
      wrapped = wrapped + 1
      index = index % #families
    end
    local family = families[index + 1]
    return wrk.format("POST", "/api/v1/clubs/applications", family.headers, family.body)
  end
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  body = body or ""
  local applying = mode == "apply" or mode == "mix"
  if mode ~= "apply" and status == 200 then
    ok = ok + 1
  elseif applying and status == 201 then
    created = created + 1
    if body:find('"status":%s*"waitlisted"') then
      waitlisted = waitlisted + 1
    end
  elseif applying and status == 409 and body:find("already_applied", 1, true) then
    again = again + 1
  else
    errors = errors + 1
    if errors <= 3 then
      io.stderr:write("status " .. status .. ": " .. body:sub(1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local totals = {
    ok = 0, created = 0, waitlisted = 0, again = 0, errors = 0, wrapped = 0, searched = 0,
  }
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
