-- Scores are integer epoch microseconds, and every bound is computed in Python
-- and passed as text: Lua would print a 16-digit number with 14 significant
-- digits and shift a window edge by up to ~0.1 ms.
-- KEYS: strikes zset, seq, keys, events set. ARGV: at (µs), weight, exclusive
-- lower bound ("(<µs>"), event ('' = none). A strike's zset member is
-- "<seq>|<weight>"; the events set remembers which events were struck, so a
-- repeated event adds nothing. Returns the live total as a string.
local z, at, w = KEYS[1], ARGV[1], ARGV[2]
if ARGV[4] == '' or redis.call('SADD', KEYS[4], ARGV[4]) == 1 then
  local seq = redis.call('INCR', KEYS[2])
  redis.call('ZADD', z, at, seq .. '|' .. w)
end
redis.call('SADD', KEYS[3], z, KEYS[2], KEYS[4])
local total = 0
for _, m in ipairs(redis.call('ZRANGEBYSCORE', z, ARGV[3], at)) do
  total = total + tonumber(string.match(m, '|(.*)$'))
end
return tostring(total)
