-- wrk script for POST /v1/keys/verify, or the floor application's endpoints (the path is the URL's). Every request
-- is built once in init() (one per key in $BENCH_KEYS_FILE, "keyId<TAB>key" lines) and request() only picks the
-- next, so the client does as little per request as it can. Rotating over many keys keeps the load off one Redis
-- hash and one rate-limit/usage record.
-- The caller's root key comes from $BENCH_VERIFY_AS (a scoped gateway key) or else $BENCH_ROOT_KEY, not the command
-- line, so it does not show in `ps`.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk-report.lua")

local threads = 0
local requests = {}
local next_index = 0

function setup(thread)
  -- runs in the main Lua state once per thread, before init(): gives each thread its own starting key
  thread:set("thread_number", threads)
  threads = threads + 1
end

function init(args)
  local caller = os.getenv("BENCH_VERIFY_AS")
  if caller == nil or caller == "" then  -- an empty string is true in Lua
    caller = assert(os.getenv("BENCH_ROOT_KEY"), "BENCH_ROOT_KEY not set")
  end
  local headers = {
    ["Authorization"] = "Bearer " .. caller,
    ["Content-Type"] = "application/json",
  }
  for line in io.lines((assert(os.getenv("BENCH_KEYS_FILE"), "BENCH_KEYS_FILE not set"))) do
    local key = line:match("\t(ss_%w+_%w+)$")
    if key then
      local body = '{"key":"' .. key .. '","permissions":["payments:read"]}'
      requests[#requests + 1] = wrk.format("POST", wrk.path, headers, body)
    end
  end
  assert(#requests > 0, "no keys in BENCH_KEYS_FILE")
  next_index = (thread_number * 37) % #requests
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end
