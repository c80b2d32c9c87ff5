-- Applies one event's change to a validation-view entry, unless the entry already reflects that event or a later
-- one: replays and fallback refills can then never move an entry back in time.
-- KEYS[1] entry   ARGV[1] sequence number of the event   ARGV[2] lifetime: "keep", "persist" or an epoch-ms expiry
-- ARGV[3] number n of fields to delete, ARGV[4 .. 3+n] those fields, then field/value pairs to set
local sequence = tonumber(ARGV[1])
local stored = tonumber(redis.call('HGET', KEYS[1], 'seq') or '')
if stored and stored >= sequence then
  return 0
end
local deletions = tonumber(ARGV[3])
for i = 4, 3 + deletions do
  redis.call('HDEL', KEYS[1], ARGV[i])
end
for i = 4 + deletions, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('HSET', KEYS[1], 'seq', ARGV[1])
if ARGV[2] == 'persist' then
  redis.call('PERSIST', KEYS[1])
elseif ARGV[2] ~= 'keep' then
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
end
return 1
