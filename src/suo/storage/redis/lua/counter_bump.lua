-- Add one to a fixed-window counter: the first bump sets its expiry (ms), later ones keep it.
-- KEYS[1] counter; ARGV[1] ttl in ms ('' = none). Returns the value after the bump.
local n = redis.call('INCR', KEYS[1])
if n == 1 and ARGV[1] ~= '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
