-- wrk script: GET /api/v1/reports/<id> for ids drawn at random (seeded per thread) from the file
-- named by the first script argument (one report id per line).
local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_index", thread_count)
end

local ids = {}
function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  math.randomseed(1000 + thread_index)
end

function request()
  return wrk.format("GET", "/api/v1/reports/" .. ids[math.random(#ids)])
end
