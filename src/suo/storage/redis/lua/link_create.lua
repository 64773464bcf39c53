-- Claim the code and start its counters from zero, in one step.
-- KEYS: link, counters (:n), breakdown totals (:by). ARGV: the link (JSON).
-- 'clicks' is set to 0 at once: the hit script reads a missing field as
-- "no link" (one command less per visit).
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('DEL', KEYS[2], KEYS[3])
  redis.call('HSET', KEYS[2], 'clicks', 0)
  return 1
end
return 0
