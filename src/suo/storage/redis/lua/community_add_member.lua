-- KEYS: members, status, removed, keys. ARGV: member id, member JSON, status,
-- muted_until ('' = none), capacity (-1 = none).
local members, status, removed, keys = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, cap = ARGV[1], tonumber(ARGV[5])
if cap >= 0 and redis.call('HEXISTS', members, id) == 0 then
  local active = redis.call('HLEN', members) - redis.call('SCARD', removed)
  if active >= cap then return 0 end
end
redis.call('HSET', members, id, ARGV[2])
redis.call('HSET', status, id, ARGV[3] .. '|' .. ARGV[4])
if ARGV[3] == 'removed' then
  redis.call('SADD', removed, id)
else
  redis.call('SREM', removed, id)
end
redis.call('SADD', keys, members, status, removed)
return 1
