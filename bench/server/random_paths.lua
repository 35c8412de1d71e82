-- wrk script: GET a path drawn at random (seeded per thread) from the file named by the first
-- script argument (one path and query per line, e.g. the fleet overview's pages of 50).
local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_index", thread_count)
end

local paths = {}
function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  math.randomseed(2000 + thread_index)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
