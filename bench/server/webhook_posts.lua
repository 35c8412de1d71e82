-- wrk script: POST /api/v1/alerts/alertmanager, every request a new Alertmanager v4 alert
-- (alert name per wrk thread, startsAt one second apart) on a cluster from the file named by the
-- first script argument (one cluster id per line).
local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_index", thread_count)
end

local clusters = {}
local counter = 0
function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then clusters[#clusters + 1] = line end
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local cluster = clusters[(counter % #clusters) + 1]
  local day = 1 + math.floor(counter / 86400)
  local seconds = counter % 86400
  local body = string.format(
    '{"version":"4","status":"firing","receiver":"rockhound","externalURL":"http://am:9093",' ..
    '"alerts":[{"status":"firing","labels":{"alertname":"LoadAlert%d","cluster_id":"%s",' ..
    '"severity":"warning"},"annotations":{"summary":"load test"},' ..
    '"startsAt":"2026-10-%02dT%02d:%02d:%02dZ","endsAt":"0001-01-01T00:00:00Z"}]}',
    thread_index, cluster, day, math.floor(seconds / 3600), math.floor(seconds / 60) % 60,
    seconds % 60)
  return wrk.format(nil, nil, nil, body)
end
