-- One round trip per visit: cap check, increment and breakdowns together.
-- KEYS: counters hash, breakdown hash, link. ARGV: bot, count, cap (-1 = none),
-- now (ISO), platform field, os field, day field. -1: cap reached; -2: no link
-- (deleted after the caller cached it: never bring its counters back).
local n, by = KEYS[1], KEYS[2]
if redis.call('EXISTS', KEYS[3]) == 0 then
  return -2
end
if ARGV[1] == '1' then
  redis.call('HINCRBY', n, 'bots', 1)
  return tonumber(redis.call('HGET', n, 'clicks') or '0')
end
local clicks = tonumber(redis.call('HGET', n, 'clicks') or '0')
local result = clicks
if ARGV[2] == '1' then
  local cap = tonumber(ARGV[3])
  if cap >= 0 and clicks >= cap then
    result = -1
  else
    result = redis.call('HINCRBY', n, 'clicks', 1)
  end
end
redis.call('HINCRBY', n, 'visits', 1)
redis.call('HSETNX', n, 'first', ARGV[4])
redis.call('HSET', n, 'last', ARGV[4])
redis.call('HINCRBY', by, ARGV[5], 1)
redis.call('HINCRBY', by, ARGV[6], 1)
redis.call('HINCRBY', by, ARGV[7], 1)
return result
