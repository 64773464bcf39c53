-- One round trip per visit: cap check, totals, and (with an event) the event
-- itself, its rollups and the visitor, together and atomically.
--
-- KEYS: 1 totals hash (:n), 2 link; with an event also 3 breakdown totals
-- (:by), 4 the hour's event list (...:e:<hour>), 5 the event-hour index
-- (zset), 6 uniques (HyperLogLog), 7 the day's hourly rollup
-- (...:h:<YYYY-MM-DD>), 8 the day's hourly referrer and language counts.
-- ARGV: 1 kind: 'b' bot, 'v' a visit that is not a click, 'c' a click, or
-- 'c<cap>' a capped click; 2 now (ISO); 3 the deadline in epoch microseconds
-- ('' = none); with an event also 4 the event.
-- The event is packed by links.py (_pack): ten fields joined by \031
-- (offset, bot, platform, os, language, referrer, target, visitor, utm,
-- outcome), or 'J' .. JSON of the first nine .. \031 .. outcome when a value
-- does not fit that form. The outcome comes last so that a capped visit is
-- stored as 'exhausted'.
-- Returns the click count; -1: cap reached; -2: no link (deleted after the
-- caller cached it: never bring its counters back); -3: the deadline passed
-- before the script ran (the caller has given up waiting and answered 503:
-- nothing is recorded, so a refused visitor is never counted).
local n = KEYS[1]
if ARGV[3] ~= '' then
  local t = redis.call('TIME')
  if tonumber(t[1]) * 1000000 + tonumber(t[2]) > tonumber(ARGV[3]) then
    return -3
  end
end
-- link_create starts 'clicks' at 0 and link_delete drops the counters with
-- the link, so a missing field means no link (or one from before that rule).
local clicks = redis.call('HGET', n, 'clicks')
if not clicks then
  if redis.call('EXISTS', KEYS[2]) == 0 then
    return -2
  end
  clicks = 0
else
  clicks = tonumber(clicks)
end
local kind = ARGV[1]
local record = ARGV[4]
if kind == 'b' then
  redis.call('HINCRBY', n, 'bots', 1)
  if record and redis.call('RPUSH', KEYS[4], record) == 1 then
    local hour = string.match(KEYS[4], '(%d+)$')
    redis.call('ZADD', KEYS[5], hour, hour)
  end
  return clicks
end
local result = clicks
local capped = false
if string.sub(kind, 1, 1) == 'c' then
  local cap = tonumber(string.sub(kind, 2))
  if cap and clicks >= cap then
    result = -1
    capped = true
  else
    result = redis.call('HINCRBY', n, 'clicks', 1)
  end
end
if redis.call('HINCRBY', n, 'visits', 1) == 1 then
  redis.call('HSET', n, 'first', ARGV[2], 'last', ARGV[2])
else
  redis.call('HSET', n, 'last', ARGV[2])
end
if not record then
  return result
end

local platform, system, language, referrer, target, visitor, outcome
if string.sub(record, 1, 1) == 'J' then
  local cut = string.find(record, '\031', 1, true)
  local f = cjson.decode(string.sub(record, 2, cut - 1))
  local function str(v)
    if v == cjson.null or v == nil then return '' end
    return v
  end
  platform, system, language, referrer = f[3], f[4], str(f[5]), str(f[6])
  target, outcome = str(f[7]), string.sub(record, cut + 1)
  visitor = f[8] ~= cjson.null and f[8] or nil
  if capped then
    outcome = 'exhausted'
    record = string.sub(record, 1, cut) .. outcome
  end
else
  local _
  _, _, platform, system, language, referrer, target, visitor, _, outcome = string.match(record,
    '^([^\031]*)\031([^\031]*)\031([^\031]*)\031([^\031]*)\031([^\031]*)\031([^\031]*)\031'
    .. '([^\031]*)\031([^\031]*)\031([^\031]*)\031([^\031]*)$')
  if visitor == '' then visitor = nil end
  if capped then
    outcome = 'exhausted'
    record = string.match(record, '^(.*\031)') .. outcome
  end
end

local hour = string.match(KEYS[4], '(%d+)$')
if redis.call('RPUSH', KEYS[4], record) == 1 then
  redis.call('ZADD', KEYS[5], hour, hour)
end
if visitor then
  redis.call('PFADD', KEYS[6], visitor)
end
local hh = string.format('%02d', tonumber(hour) % 24)
local h = KEYS[7]
redis.call('HINCRBY', h, hh, 1)
redis.call('HINCRBY', h, hh .. '|p|' .. platform, 1)
redis.call('HINCRBY', h, hh .. '|o|' .. system, 1)
redis.call('HINCRBY', h, hh .. '|x|' .. outcome, 1)
if target ~= '' then
  redis.call('HINCRBY', h, hh .. '|t|' .. target, 1)
end
if referrer ~= '' then
  redis.call('HINCRBY', KEYS[8], hh .. '|r|' .. referrer, 1)
end
if language ~= '' then
  redis.call('HINCRBY', KEYS[8], hh .. '|l|' .. language, 1)
end
redis.call('HINCRBY', KEYS[3], 'v:' .. platform .. '|' .. system .. '|' .. outcome .. '|' .. target, 1)
redis.call('HINCRBY', KEYS[3], 'day:' .. string.sub(h, -10), 1)
return result
