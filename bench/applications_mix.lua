-- wrk script for bench/applications.py: citizens sending their prepared drafts.
--
--   wrk ... -s bench/applications_mix.lua http://127.0.0.1:PORT -- DRAFTS RUN RUNS THREADS RESULTS
--
-- DRAFTS holds one draft a line: "TOKEN PUBLIC_ID". Run RUN of RUNS (1-based) takes its own
-- slice of the file, and each of wrk's threads its own part of that slice, so no draft is
-- sent twice: every request is a first submission (POST …/submit with the owner's token).
-- At the end the threads' counts of 200 (submitted) and anything else (errors) are
-- written to RESULTS, one "name count" a line; a thread that runs out of drafts counts
-- "exhausted" and fails the run rather than measure repeated (idempotent) submits.

local drafts = {}
local threads = {}
submitted = 0
errors = 0
exhausted = 0
results_path = nil
local next_thread_id = 0

function setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
  table.insert(threads, thread)
end

function init(args)
  -- wrk tells init() nothing of the thread count: the bench passes it (THREADS).
  local file, run, runs, count = args[1], tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
  results_path = args[5]
  local all = {}
  for line in io.lines(file) do
    local token, id = line:match("^(%S+) (%S+)$")
    if token then table.insert(all, { token, id }) end
  end
  local per_run = math.floor(#all / runs)
  local per_thread = math.floor(per_run / count)
  local start = (run - 1) * per_run + (thread_id - 1) * per_thread
  for i = start + 1, start + per_thread do table.insert(drafts, all[i]) end
  position = 0
end

request = function()
  position = position + 1
  local draft = drafts[position]
  if draft == nil then
    exhausted = exhausted + 1
    draft = drafts[#drafts]
  end
  return wrk.format("POST", "/api/v1/applications/" .. draft[2] .. "/submit",
    { ["Authorization"] = "Bearer " .. draft[1], ["Content-Type"] = "application/json" }, "{}")
end

response = function(status, headers, body)
  if status == 200 then submitted = submitted + 1 else errors = errors + 1 end
end

function done(summary, latency, requests)
  local totals = { submitted = 0, errors = 0, exhausted = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + thread:get(name) end
  end
  -- done() runs in the main state, where init() never ran: ask a thread for the path.
  local out = io.open(threads[1]:get("results_path"), "w")
  for name, count in pairs(totals) do out:write(name .. " " .. count .. "\n") end
  out:close()
end
