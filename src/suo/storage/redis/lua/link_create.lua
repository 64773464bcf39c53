-- Claim the code and start its counters from zero, in one step.
-- KEYS: link, counters (:n), breakdown totals (:by), pending-cleanup record
-- (:gone). ARGV: the link (JSON).
-- 'clicks' is set to 0 at once: the hit script reads a missing field as
-- "no link" (one command less per visit).
-- Returns 1 when claimed, 0 when the code is taken, 2 when an earlier
-- delete of the code has not finished its cleanup (the caller finishes it
-- and tries again, so the old link's events never show up in the new one).
if redis.call('EXISTS', KEYS[4]) == 1 then
  return 2
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('DEL', KEYS[2], KEYS[3])
  redis.call('HSET', KEYS[2], 'clicks', 0)
  return 1
end
return 0
