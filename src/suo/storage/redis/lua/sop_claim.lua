-- KEYS: run hash. ARGV: worker, at (µs), lease_until (µs).
local k = KEYS[1]
local st = redis.call('HGET', k, 'status')
if st == 'done' or st == 'skipped' then return 0 end
if st == 'claimed' then
  local w = redis.call('HGET', k, 'worker')
  local lease = tonumber(redis.call('HGET', k, 'lease_until') or '0')
  if w ~= ARGV[1] and lease > tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', k, 'status', 'claimed', 'worker', ARGV[1], 'claimed_at', ARGV[2],
           'lease_until', ARGV[3])
return 1
