-- wrk script for bench/run.py: rotate through request paths read from a file (one per line),
-- each thread starting at its own offset, and print the result as one JSON line at the end.
--
--   wrk -t2 -c8 -d10s --latency -s bench/rotate.lua http://127.0.0.1:PORT -- paths.txt
--
-- Optional arguments after the paths file send something other than a bare GET, the same for
-- every path (one script for every run, so the client does the same work per request):
--
--   -- paths.txt method=POST body=case.json headers=headers.txt
--
-- `body` names a file sent as the request body; `headers` a file of `Name: value` lines. Files,
-- not arguments, so that a bearer token does not show in the process list.

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

local function read_file(name)
  local file = assert(io.open(name, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

local function read_headers(name)
  local headers = {}
  for line in io.lines(name) do
    local key, value = line:match("^([^:]+):%s*(.-)%s*$")
    if key then
      headers[key] = value
    end
  end
  return headers
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 then
    error("no paths in " .. tostring(args[1]))
  end
  method, body, headers = "GET", nil, {}
  for i = 2, #args do
    local key, value = args[i]:match("^(%w+)=(.*)$")
    if key == "method" then
      method = value
    elseif key == "body" then
      body = read_file(value)
    elseif key == "headers" then
      headers = read_headers(value)
    else
      error("unknown argument " .. args[i])
    end
  end
  counter = ((thread_number or 0) * 7919) % #paths
end

function request()
  counter = counter % #paths + 1
  return wrk.format(method, paths[counter], headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"max":%d,"stdev":%.1f,' ..
    '"p50":%d,"p90":%d,"p95":%d,"p99":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max, latency.stdev,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99)))
end
