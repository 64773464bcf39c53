-- KEYS: ref:by, ref:board, keys. ARGV: invitee, inviter, JSON, counted ('1'/'0').
local new = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3])
if new == 1 and ARGV[4] == '1' then
  redis.call('ZINCRBY', KEYS[2], 1, ARGV[2])
end
redis.call('SADD', KEYS[3], KEYS[1], KEYS[2])
local n = redis.call('ZSCORE', KEYS[2], ARGV[2])
return {new, tonumber(n or '0')}
