-- Decides one verification in a single round trip: scope, status, expiry, grace, source, permissions, rate limit,
-- usage.
-- Every key lies in the slot of the secret's hash, so the script runs unchanged on Redis Cluster: the entry and usage
-- carry the hash as tag, the rate-limit buckets the slot's own tag (all secrets of a key share a slot).
-- KEYS[1] view entry (hash)   KEYS[2] the slot's rate-limit buckets (hash: key id -> GCRA state)   KEYS[3] usage
-- ARGV[1] now, epoch ms   ARGV[2] cost   ARGV[3] "1" to apply the rate limit and count usage, "0" to only look
-- ARGV[4] the source's address as "4:" or "6:" and its bits, "" when the source is no IP address, "*" not to check it
-- ARGV[5] n, the number of owner entries in the caller's scope, or -1 for a caller without a scope
-- ARGV[6 .. 5+n] those entries (an ownerId, or a prefix ending in *)   ARGV[6+n ..] required permissions
-- Replies with name/value pairs.
local now = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local counting = ARGV[3] == '1'
local sourceBits = ARGV[4]
local scopeSize = tonumber(ARGV[5])
local firstPermission = 6 + math.max(scopeSize, 0)
local entry = redis.call('HMGET', KEYS[1], 'id', 'owner', 'status', 'perms', 'exp', 'grace', 'rl', 'rw', 'scope',
  'src')
local keyId = entry[1]
if not keyId then
  return {'code', 'NOT_FOUND'}
end

-- a key outside the caller's scope is one the caller must not learn about: no answer, no count
if scopeSize >= 0 then
  local owner = entry[2] or ''
  local inScope = false
  for i = 6, 5 + scopeSize do
    local allowed = ARGV[i]
    if allowed == owner or (string.sub(allowed, -1) == '*'
        and string.sub(owner, 1, #allowed - 1) == string.sub(allowed, 1, -2)) then
      inScope = true
      break
    end
  end
  if not inScope then
    return {'code', 'NOT_FOUND'}
  end
end
local perms = entry[4] or ''
local expiresAt = tonumber(entry[5] or '')
local graceUntil = tonumber(entry[6] or '')

local function grants(required)
  for held in string.gmatch(perms, '%S+') do
    if held == required then
      return true
    end
    if string.sub(held, -1) == '*' and string.sub(required, 1, #held - 1) == string.sub(held, 1, -2) then
      return true
    end
  end
  return false
end

-- an allowlist holds the bit prefixes of its blocks: a source is admitted when its bits start with one of them
local function admitted(allowed)
  if not allowed or sourceBits == '*' then
    return true
  end
  for prefix in string.gmatch(allowed, '%S+') do
    if string.sub(sourceBits, 1, #prefix) == prefix then
      return true
    end
  end
  return false
end

local code = 'VALID'
if entry[3] == 'revoked' then
  code = 'REVOKED'
elseif entry[3] == 'expired' or (expiresAt and expiresAt <= now) or (graceUntil and graceUntil <= now) then
  code = 'EXPIRED'
elseif not admitted(entry[10]) then
  code = 'FORBIDDEN_SOURCE'
else
  for i = firstPermission, #ARGV do
    if not grants(ARGV[i]) then
      code = 'INSUFFICIENT_PERMISSIONS'
      break
    end
  end
end

local limit, remaining, resetMs, retryMs = '', '', '', ''
local windowSeconds = tonumber(entry[8] or '')
if counting and code == 'VALID' and entry[7] and windowSeconds then
  -- Exact GCRA. Time counts in units of 1/quota ms, so the emission interval (window / quota) is windowMs units, a
  -- whole number. The state is the theoretical arrival time as "ms fraction quota" (the fraction in units of the
  -- quota it was written under), and all sums run on offsets from now in units, each a whole number below
  -- 86,400,000 ms * 1,000,000 + 1,000 * 86,400,000 < 2^53: doubles hold them exactly, and the floor or ceiling of a
  -- quotient of two such numbers is exact too (a non-whole quotient is at least 1/divisor from a whole number).
  local quota = tonumber(entry[7])
  local windowMs = windowSeconds * 1000
  local burst = windowMs * quota
  local tat = 0
  local stored = redis.call('HGET', KEYS[2], keyId)
  if stored then
    local ms, fraction, storedQuota = string.match(stored, '^(%d+) (%d+) (%d+)$')
    ms, fraction = tonumber(ms), tonumber(fraction)
    if tonumber(storedQuota) ~= quota and fraction > 0 then
      -- the limit changed: a fraction of the old unit rounds up to the next millisecond, never earlier
      ms, fraction = ms + 1, 0
    end
    if ms >= now then
      tat = (ms - now) * quota + fraction
    end
  end
  local newTat = tat + cost * windowMs
  limit = quota
  if newTat > burst then
    code = 'RATE_LIMITED'
    remaining = math.max(0, math.floor((burst - tat) / windowMs))
    resetMs = math.ceil(tat / quota)
    -- a cost above the whole limit never fits: no time to wait for, so no retry
    if cost <= quota then
      retryMs = math.ceil((newTat - burst) / quota)
    end
  else
    local ms = math.floor(newTat / quota)
    redis.call('HSET', KEYS[2], keyId, string.format('%.0f %.0f %.0f', now + ms, newTat - ms * quota, quota))
    resetMs = math.ceil(newTat / quota)
    -- the buckets live a window past the time the last of them is full again (a bucket past its time is the same as
    -- none): Redis counts the lifetime on its own clock from when the script runs, and a later call that took longer
    -- to arrive must still find the bucket
    local lifetime = resetMs + windowMs
    if redis.call('PTTL', KEYS[2]) < lifetime then
      redis.call('PEXPIRE', KEYS[2], lifetime)
    end
    remaining = math.floor((burst - newTat) / windowMs)
  end
end

if counting then
  if code == 'VALID' then
    redis.call('HSET', KEYS[3], 'id', keyId, 'last', ARGV[1])
    redis.call('HINCRBY', KEYS[3], 'valid', 1)
  else
    redis.call('HSET', KEYS[3], 'id', keyId)
    redis.call('HINCRBY', KEYS[3], 'rejected', 1)
  end
end

return {'code', code, 'id', keyId, 'owner', entry[2] or '', 'perms', perms, 'scope', entry[9] or '',
        'exp', entry[5] or '', 'grace', entry[6] or '', 'limit', tostring(limit), 'remaining', tostring(remaining),
        'reset', tostring(resetMs), 'retry', tostring(retryMs), 'window', entry[8] or ''}
