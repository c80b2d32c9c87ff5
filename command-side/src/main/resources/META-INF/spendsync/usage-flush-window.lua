-- The usage flush's window (UsageBatches.takeFlushWindow): KEYS[1] the window's key, ARGV[1] the instance asking,
-- ARGV[2] how long it holds the window in milliseconds, or "release" to let go of it. The holder takes it again at
-- each run; another instance only once the holder let go or stopped renewing. Returns 1 if ARGV[1] holds it now.
local holder = redis.call('GET', KEYS[1])
if ARGV[2] == 'release' then
  if holder == ARGV[1] then
    redis.call('DEL', KEYS[1])
  end
  return 0
end
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
