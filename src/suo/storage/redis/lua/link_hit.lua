-- One round trip per visit: cap check, totals, and (with an event) the event
-- itself, its rollups and the visitor, together and atomically.
--
-- KEYS: 1 totals hash (:n), 2 link; with an event also 3 breakdown totals
-- (:by, fields platform:, os:, outcome:, target:, day:), 4 the hour's event
-- list, 5 the event-hour index (zset), 6 uniques (HyperLogLog), 7..13 the
-- day's hourly rollups: all, platform, os, outcome, target, referrer, language.
-- ARGV: 1 bot, 2 count, 3 cap (-1 = none), 4 now (ISO); with an event also
-- 5 hour number (hours since the epoch), 6 hour of day (HH), 7 day
-- (YYYY-MM-DD), 8 event head, 9 outcome, 10 event tail, 11 platform, 12 os,
-- 13 target, 14 referrer, 15 language, 16 visitor ('' = none).
-- The stored event is head .. outcome .. tail: a capped visit is stored with
-- the outcome 'exhausted'.
-- Returns the click count; -1: cap reached; -2: no link (deleted after the
-- caller cached it: never bring its counters back).
local n = KEYS[1]
if redis.call('EXISTS', KEYS[2]) == 0 then
  return -2
end
local event = #KEYS > 2
if ARGV[1] == '1' then
  redis.call('HINCRBY', n, 'bots', 1)
  if event and redis.call('RPUSH', KEYS[4], ARGV[8] .. ARGV[9] .. ARGV[10]) == 1 then
    redis.call('ZADD', KEYS[5], ARGV[5], ARGV[5])
  end
  return tonumber(redis.call('HGET', n, 'clicks') or '0')
end
local clicks = tonumber(redis.call('HGET', n, 'clicks') or '0')
local result = clicks
local outcome = ARGV[9]
if ARGV[2] == '1' then
  local cap = tonumber(ARGV[3])
  if cap >= 0 and clicks >= cap then
    result = -1
    outcome = 'exhausted'
  else
    result = redis.call('HINCRBY', n, 'clicks', 1)
  end
end
if redis.call('HINCRBY', n, 'visits', 1) == 1 then
  redis.call('HSET', n, 'first', ARGV[4], 'last', ARGV[4])
else
  redis.call('HSET', n, 'last', ARGV[4])
end
if not event then
  return result
end
if redis.call('RPUSH', KEYS[4], ARGV[8] .. outcome .. ARGV[10]) == 1 then
  redis.call('ZADD', KEYS[5], ARGV[5], ARGV[5])
end
if ARGV[16] ~= '' then
  redis.call('PFADD', KEYS[6], ARGV[16])
end
local hh = ARGV[6]
redis.call('HINCRBY', KEYS[7], hh, 1)
redis.call('HINCRBY', KEYS[8], hh .. '|' .. ARGV[11], 1)
redis.call('HINCRBY', KEYS[9], hh .. '|' .. ARGV[12], 1)
redis.call('HINCRBY', KEYS[10], hh .. '|' .. outcome, 1)
redis.call('HINCRBY', KEYS[11], hh .. '|' .. ARGV[13], 1)
redis.call('HINCRBY', KEYS[12], hh .. '|' .. ARGV[14], 1)
redis.call('HINCRBY', KEYS[13], hh .. '|' .. ARGV[15], 1)
local by = KEYS[3]
redis.call('HINCRBY', by, 'day:' .. ARGV[7], 1)
redis.call('HINCRBY', by, 'platform:' .. ARGV[11], 1)
redis.call('HINCRBY', by, 'os:' .. ARGV[12], 1)
redis.call('HINCRBY', by, 'outcome:' .. outcome, 1)
if ARGV[13] ~= '' then
  redis.call('HINCRBY', by, 'target:' .. ARGV[13], 1)
end
return result
