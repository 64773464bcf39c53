-- KEYS: target hash. Gives one slot back, never below zero.
local used = tonumber(redis.call('HGET', KEYS[1], 'used') or '0')
if used > 0 then redis.call('HINCRBY', KEYS[1], 'used', -1) end
return 0
