-- KEYS: target hash. ARGV: now in µs since the epoch.
-- -1: no room (missing, retired, full or expired); else used after the claim.
local t = KEYS[1]
local f = redis.call('HMGET', t, 'retired', 'cap', 'exp', 'used')
if not f[1] or f[1] == '1' then return -1 end
local used = tonumber(f[4])
if f[2] ~= '' and used >= tonumber(f[2]) then return -1 end
if f[3] ~= '' and tonumber(f[3]) <= tonumber(ARGV[1]) then return -1 end
return redis.call('HINCRBY', t, 'used', 1)
