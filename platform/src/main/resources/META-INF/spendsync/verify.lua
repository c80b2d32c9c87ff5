-- Decides one verification in a single round trip: scope, status, expiry, grace, source, permissions, rate limits,
-- usage.
-- Every key lies in the slot of the secret's hash, so the script runs unchanged on Redis Cluster: the entry and usage
-- carry the hash as tag, the rate-limit buckets the slot's own tag (all secrets of a key share a slot, and all keys of
-- an owner created since owner-wide limits exist share the owner's slot).
-- KEYS[1] view entry (hash)   KEYS[2] the slot's rate-limit buckets (hash: bucket -> GCRA state)   KEYS[3] usage
-- ARGV[1] now, epoch ms   ARGV[2] costs, "name n" pairs space-separated (a limit not named costs 1)
-- ARGV[3] "1" to apply the rate limits and count usage, "0" to only look
-- ARGV[4] the source's address as "4:" or "6:" and its bits, "" when the source is no IP address, "*" not to check it
-- ARGV[5] n, the number of owner entries in the caller's scope, or -1 for a caller without a scope
-- ARGV[6 .. 5+n] those entries (an ownerId, or a prefix ending in *)   ARGV[6+n ..] required permissions
-- Replies with name/value pairs.
local now = tonumber(ARGV[1])
local costs = {}
for name, n in string.gmatch(ARGV[2], '(%S+) (%d+)') do
  costs[name] = tonumber(n)
end
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

-- The key's limits, all or nothing: each is decided on its bucket as it stands, and only if every one admits the
-- request is any charged. Exact GCRA. Time counts in units of 1/quota ms, so the emission interval (window / quota)
-- is windowMs units, a whole number. A state is the theoretical arrival time as "ms fraction quota" (the fraction in
-- units of the quota it was written under), and all sums run on offsets from now in units, each a whole number below
-- 86,400,000 ms * (1,000,000 + 1,000,000) < 2^53: doubles hold them exactly, and the floor or ceiling of a quotient
-- of two such numbers is exact too (a non-whole quotient is at least 1/divisor from a whole number).
local limits = {}
if counting and code == 'VALID' and entry[7] then
  if entry[8] then
    -- written before limits had names: the quota alone, its window beside it
    limits[1] = {name = 'default', quota = tonumber(entry[7]), window = tonumber(entry[8]), shared = 'k'}
  else
    for name, quota, window, shared in string.gmatch(entry[7], '([^/%s]+)/(%d+)/(%d+)/([ko])') do
      limits[#limits + 1] = {name = name, quota = tonumber(quota), window = tonumber(window), shared = shared}
    end
  end
end
local refused = false
if #limits > 0 then
  local fields = {}
  for i, l in ipairs(limits) do
    if l.shared == 'o' then
      -- keys that define the owner's limit alike share its bucket; one defined otherwise cannot starve them
      l.field = 'o/' .. (entry[2] or '') .. '/' .. l.name .. '/' .. l.quota .. '/' .. l.window
    elseif l.name == 'default' then
      l.field = keyId
    else
      l.field = keyId .. '/' .. l.name
    end
    fields[i] = l.field
  end
  local stored = redis.call('HMGET', KEYS[2], unpack(fields))
  for i, l in ipairs(limits) do
    local quota = l.quota
    local windowMs = l.window * 1000
    local burst = windowMs * quota
    local cost = costs[l.name] or 1
    local tat = 0
    if stored[i] then
      local ms, fraction, storedQuota = string.match(stored[i], '^(%d+) (%d+) (%d+)$')
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
    l.windowMs, l.burst, l.tat, l.newTat = windowMs, burst, tat, newTat
    if newTat > burst then
      refused = true
      l.refused = '1'
      -- a cost above the whole limit never fits: no time to wait for, so no retry
      if cost <= quota then
        l.retry = math.ceil((newTat - burst) / quota)
      end
    else
      l.refused = '0'
    end
  end
  -- each limit as it stands after the decision: charged if the request passed, as it was if not
  for _, l in ipairs(limits) do
    local standing = refused and l.tat or l.newTat
    l.remaining = math.max(0, math.floor((l.burst - standing) / l.windowMs))
    l.reset = math.ceil(standing / l.quota)
  end
  if refused then
    code = 'RATE_LIMITED'
  else
    local lifetime = 0
    local written = {}
    for _, l in ipairs(limits) do
      local ms = math.floor(l.newTat / l.quota)
      written[#written + 1] = l.field
      written[#written + 1] = string.format('%.0f %.0f %.0f', now + ms, l.newTat - ms * l.quota, l.quota)
      lifetime = math.max(lifetime, l.reset + l.windowMs)
    end
    redis.call('HSET', KEYS[2], unpack(written))
    -- the buckets live a window past the time the last of them is full again (a bucket past its time is the same as
    -- none): Redis counts the lifetime on its own clock from when the script runs, and a later call that took longer
    -- to arrive must still find the bucket
    if redis.call('PTTL', KEYS[2]) < lifetime then
      redis.call('PEXPIRE', KEYS[2], lifetime)
    end
  end
end
local states = {}
for i, l in ipairs(limits) do
  states[i] = string.format('%s/%s/%d/%d/%.0f/%.0f/%s/%s', l.name, l.shared, l.quota, l.window, l.remaining,
    l.reset, l.retry and string.format('%.0f', l.retry) or '-', l.refused)
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
        'exp', entry[5] or '', 'grace', entry[6] or '', 'limits', table.concat(states, ' ')}
