-- Record one conversion once: KEYS[1] hash of conversion keys seen, KEYS[2] zset of
-- conversions (JSON) scored by click time in microseconds; both in the link's slot.
-- ARGV: the key (click_id \x1f event \x1f external_id), the score, the JSON.
-- Returns 1 when stored, 0 for a repeat.
if redis.call('HSETNX', KEYS[1], ARGV[1], '1') == 0 then
  return 0
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
