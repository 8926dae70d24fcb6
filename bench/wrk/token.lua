-- wrk script for POST /v1/token-shaped requests (bench/run.sh sets these variables; see bench/README.md).
--   BENCH_API_KEY        caller's API key (from the environment, never on a command line)
--   BENCH_PATH           /v1/token, or /bench/noop for the baseline
--   BENCH_PREFIX         registration ids are PREFIX0 .. PREFIX(N-1)
--   BENCH_REGISTRATIONS  N; each request picks one at random (N=1: always the same)
--   BENCH_MIN_VALIDITY   min_validity_seconds sent with every request
local key = os.getenv("BENCH_API_KEY") or error("BENCH_API_KEY is not set")
local path = os.getenv("BENCH_PATH") or "/v1/token"
local prefix = os.getenv("BENCH_PREFIX") or "bench-"
local count = tonumber(os.getenv("BENCH_REGISTRATIONS") or "1")
local minValidity = os.getenv("BENCH_MIN_VALIDITY") or "300"

local requests = {}

-- Built per thread once wrk knows the target, so each request carries its Host header (Vert.x rejects HTTP/1.1
-- requests without one).
init = function(args)
  local headers = {
    ["Host"] = wrk.host .. ":" .. wrk.port,
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }
  for i = 0, count - 1 do
    local body = '{"registration":"' .. prefix .. i .. '","resource":"graph","min_validity_seconds":' .. minValidity .. '}'
    requests[i + 1] = wrk.format("POST", path, headers, body)
  end
end

-- Every request goes through the same random pick, so 1 and 10,000 registrations cost wrk the same.
request = function()
  return requests[math.random(count)]
end
