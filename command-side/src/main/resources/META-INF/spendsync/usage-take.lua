-- Takes a secret's usage counters as a numbered batch for the flush, atomically, so a use counted meanwhile lands
-- in the next batch. A pending batch left by a flush that crashed is handed back unchanged instead: it may already
-- be recorded, and only its unchanged number lets the aggregate tell. Every key shares the secret's hash tag.
-- KEYS[1] usage counters   KEYS[2] pending batch   KEYS[3] batch counter (never expires, so numbers never repeat)
local pending = redis.call('HGETALL', KEYS[2])
if #pending > 0 then
  return pending
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {}
end
local seq = redis.call('INCR', KEYS[3])
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[2], 'seq', seq)
return redis.call('HGETALL', KEYS[2])
