-- Deletes a recorded pending batch, unless another flush has replaced it by a newer one meanwhile.
-- KEYS[1] pending batch   ARGV[1] the recorded batch's number   ARGV[2] its epoch ('' for a batch from before epochs)
if redis.call('HGET', KEYS[1], 'seq') == ARGV[1] and (redis.call('HGET', KEYS[1], 'epoch') or '') == ARGV[2] then
  return redis.call('DEL', KEYS[1])
end
return 0
