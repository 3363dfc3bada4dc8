-- wrk script for `cargo bench -p sori-collector --bench load`.
--
-- Arguments (after `--`): `post` or `get`, the path, the Origin to send,
-- and a number that differs between wrk processes running at once.
--
-- `post`: every request posts a new response (a CSAT score and a comment)
-- with an id of its own, as a browser would. `get`: every request asks for
-- the path as a browser would, accepting brotli and gzip.
--
-- The run ends by printing one line of figures for the bench to read.

local mode, path, origin, stream
local threads_made = 0
local counter = 0
local comments = {
  "Sending the invoice took two clicks, nice.",
  "The PDF preview was slow to load.",
  "Could not find where to change the currency.",
  "Great, exactly what I needed.",
  "ok",
}

-- Runs in the main state; `thread_number` becomes a global of each thread's.
function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_number", threads_made)
end

function init(args)
  mode, path, origin, stream = args[1], args[2], args[3], tonumber(args[4] or "0")
  math.randomseed(os.time() * 1000 + stream * 100 + thread_number)
end

-- A version-7 UUID: 48 bits of Unix milliseconds, then the process's and
-- this thread's numbers and a counter, so no two requests share an id.
local function new_id()
  counter = counter + 1
  local millis = os.time() * 1000
  local high = math.floor(millis / 16777216)
  local low = millis % 16777216
  return string.format(
    "%06x%02x-%04x-7%03x-%04x-%04x%08x",
    high, math.floor(low / 65536), low % 65536,
    (stream * 64 + thread_number) % 4096,
    32768 + math.random(0, 16383),
    math.floor(counter / 4294967296) % 65536, counter % 4294967296
  )
end

function request()
  if mode == "get" then
    return wrk.format("GET", path, {
      ["Origin"] = origin,
      ["Accept-Encoding"] = "br, gzip",
    })
  end
  local score = math.random(1, 5)
  local comment = comments[math.random(1, #comments)]
  local body = string.format(
    '{"id":"%s","survey":"checkout","survey_version":1,"locale":"en",' ..
    '"page_path":"/checkout","device":"desktop","seq":1,' ..
    '"answers":[{"question":"csat","value":%d},{"question":"comment","value":"%s"}]}',
    new_id(), score, comment)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["Origin"] = origin,
  }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d status_errors=%d socket_errors=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
