-- Delete a link with its counters, in one step, and say what else it had.
-- KEYS: link, counters (:n), breakdown totals (:by), uniques, event-hour index,
-- the pending-cleanup record (:gone).
-- Returns false when there was no link and no cleanup pending; else
-- {fresh, plan}: fresh is 1 when this call deleted the link, 0 when an
-- earlier delete had and left its cleanup unfinished; plan is JSON
-- {"link": link JSON, "days": [day, ...], "hours": [hour, ...]}, the days
-- that have rollups and the hours that have event lists, kept in :gone
-- until the caller has unlinked those keys and removed the tag entries (it
-- deletes :gone last, so a delete that fails midway finishes on retry).
-- Visits stop at once: with the link and its counters gone the hit script
-- answers "no link".
local data = redis.call('GETDEL', KEYS[1])
if not data then
  local pending = redis.call('GET', KEYS[6])
  if not pending then
    return false
  end
  return {0, pending}
end
local days, hours, seen = {}, {}, {}
for _, field in ipairs(redis.call('HKEYS', KEYS[3])) do
  local day = string.match(field, '^day:(.+)$')
  if day and not seen[day] then
    seen[day] = true
    days[#days + 1] = day
  end
end
for _, hour in ipairs(redis.call('ZRANGE', KEYS[5], 0, -1)) do
  hours[#hours + 1] = hour
end
local plan = cjson.encode({link = data, days = days, hours = hours})
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('SET', KEYS[6], plan)
return {1, plan}
