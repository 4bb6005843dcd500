-- wrk script for bench/run.py: every request asks a different search query.
--
--   wrk ... -s bench/search_mix.lua http://127.0.0.1:PORT -- PATHS_FILE [unique NONCE]
--
-- PATHS_FILE holds one request path per line (URL-encoded), e.g. /api/v1/services?q=...
-- Each wrk thread walks the list from its own starting point, one path per request.
-- With "unique", a number that no other request uses is appended as one more query word
-- ("+<nonce><thread><counter>"): digits never match the catalog, so the ranking work is
-- that of the original query, but the server's answer cache can never serve it.

local paths = {}
local counter = 0
local unique = false
local tag = ""
local next_thread_id = 0

function setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
end

function init(args)
  local file = args[1]
  if file == nil then
    error("usage: -- PATHS_FILE [unique NONCE]")
  end
  for line in io.lines(file) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 then
    error("no request paths in " .. file)
  end
  unique = args[2] == "unique"
  -- Digits only (a letter would be a word to the search), the thread id at fixed width.
  tag = (args[3] or "0") .. string.format("%03d", thread_id or 0)
  -- Threads start at different places in the list, so they do not ask in lockstep.
  counter = ((thread_id or 1) - 1) * math.floor(#paths / 2)
end

function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  if unique then
    path = path .. "+" .. tag .. tostring(counter)
  end
  return wrk.format(nil, path)
end
