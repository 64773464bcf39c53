-- KEYS: target hash. ARGV: payload, cap, exp, exp_iso, weight, reset.
local t = KEYS[1]
local retired = redis.call('HGET', t, 'retired')
if not retired or retired == '1' then return nil end
redis.call('HSET', t, 'payload', ARGV[1], 'cap', ARGV[2], 'exp', ARGV[3],
           'exp_iso', ARGV[4], 'weight', ARGV[5])
if ARGV[6] == '1' then
  redis.call('HSET', t, 'used', 0)
  redis.call('HINCRBY', t, 'epoch', 1)
end
return redis.call('HGETALL', t)
