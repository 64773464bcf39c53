-- Delete the events of one link older than a cut, atomically per batch of hours.
-- KEYS: 1 the event-hour index (zset), 2.. the hours' event lists.
-- ARGV: 1 the cut's hour, 2 the cut's offset in that hour (µs), 3.. the hours
-- (as in the index, one per list key). Lists of hours before the cut's go
-- whole; in the cut's own hour the events before the offset go. An event
-- starts with its offset's digits (after 'J[' in the JSON form).
-- Returns how many events were deleted.
local index = KEYS[1]
local cut_hour, cut_offset = tonumber(ARGV[1]), tonumber(ARGV[2])
local removed = 0
for i = 2, #KEYS do
  local hour = ARGV[i + 1]
  local h = tonumber(hour)
  if h < cut_hour then
    removed = removed + redis.call('LLEN', KEYS[i])
    redis.call('UNLINK', KEYS[i])
    redis.call('ZREM', index, hour)
  elseif h == cut_hour then
    local events = redis.call('LRANGE', KEYS[i], 0, -1)
    local kept = {}
    for _, e in ipairs(events) do
      if tonumber(string.match(e, '^J?%[?(%d+)')) >= cut_offset then
        kept[#kept + 1] = e
      end
    end
    if #kept < #events then
      removed = removed + #events - #kept
      redis.call('DEL', KEYS[i])
      for j = 1, #kept, 1000 do
        redis.call('RPUSH', KEYS[i], unpack(kept, j, math.min(j + 999, #kept)))
      end
      if #kept == 0 then
        redis.call('ZREM', index, hour)
      end
    end
  end
end
return removed
