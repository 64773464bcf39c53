-- Delete a link with its counters, in one step, and say what else it had.
-- KEYS: link, counters (:n), breakdown totals (:by), uniques, event-hour index.
-- Returns false when there was no link; else {link JSON, n, day, ..., hour, ...}
-- with the n days that have rollups and then the hours that have event
-- lists: the caller unlinks those keys. Visits stop at once: with the link
-- and its counters gone the hit script answers "no link".
local data = redis.call('GETDEL', KEYS[1])
if not data then
  return false
end
local out = {data, 0}
local seen = {}
for _, field in ipairs(redis.call('HKEYS', KEYS[3])) do
  local day = string.match(field, '^day:(.+)$')
  if day and not seen[day] then
    seen[day] = true
    out[#out + 1] = day
  end
end
out[2] = #out - 2
for _, hour in ipairs(redis.call('ZRANGE', KEYS[5], 0, -1)) do
  out[#out + 1] = hour
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return out
