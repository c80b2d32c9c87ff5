-- Takes a secret's usage counters as a numbered batch for the flush, atomically, so a use counted meanwhile lands
-- in the next batch. A pending batch left by a flush that crashed is handed back unchanged instead: it may already
-- be recorded, and only its unchanged epoch and number let the aggregate tell. Every key shares the secret's hash tag.
-- KEYS[1] usage counters   KEYS[2] pending batch   KEYS[3] batch counter: its epoch and last number (never expires)
-- ARGV[1] a fresh epoch, named by the counter if it has to be created: a counter Redis lost starts over in an epoch
--         the aggregate has not seen, so its numbers are new (a counter from before epochs is started over too)
local pending = redis.call('HGETALL', KEYS[2])
if #pending > 0 then
  return pending
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {}
end
if redis.call('TYPE', KEYS[3]).ok ~= 'hash' then
  redis.call('DEL', KEYS[3])
  redis.call('HSET', KEYS[3], 'epoch', ARGV[1])
end
local seq = redis.call('HINCRBY', KEYS[3], 'seq', 1)
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[2], 'seq', seq, 'epoch', redis.call('HGET', KEYS[3], 'epoch'))
return redis.call('HGETALL', KEYS[2])
