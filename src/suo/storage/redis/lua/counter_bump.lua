-- Add to a fixed-window counter: the bump that finds it without an expiry sets
-- one (ms); later bumps keep it.
-- KEYS[1] counter; ARGV[1] ttl in ms ('' = none); ARGV[2] the amount (1, or -1
-- to give a reserved try back). Returns the value after the bump.
local n = redis.call('INCRBY', KEYS[1], ARGV[2])
if ARGV[1] ~= '' and redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
