-- KEYS: messages zset, seq, keys. ARGV: at (µs), digest, trim bound (µs; '' =
-- none), then one exclusive lower bound ("(<µs>") per window.
-- Returns {n1, same1, n2, same2, ...}.
local z, at, digest = KEYS[1], ARGV[1], ARGV[2]
if ARGV[3] ~= '' then redis.call('ZREMRANGEBYSCORE', z, '-inf', ARGV[3]) end
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', z, at, seq .. '|' .. digest)
redis.call('SADD', KEYS[3], z, KEYS[2])
local out = {}
for i = 4, #ARGV do
  local n, same = 0, 0
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', z, ARGV[i], at)) do
    n = n + 1
    if string.match(m, '|(.*)$') == digest then same = same + 1 end
  end
  out[#out + 1] = n
  out[#out + 1] = same
end
return out
