-- KEYS: run hash. ARGV: status, by, at (µs), note, worker ('' = anyone).
local k = KEYS[1]
local st = redis.call('HGET', k, 'status')
if st == 'done' or st == 'skipped' then return 0 end
if st == 'claimed' and ARGV[5] ~= '' then
  local w = redis.call('HGET', k, 'worker')
  local lease = tonumber(redis.call('HGET', k, 'lease_until') or '0')
  if w ~= ARGV[5] and lease > tonumber(ARGV[3]) then return 0 end
end
redis.call('HSET', k, 'status', ARGV[1], 'by', ARGV[2], 'finished_at', ARGV[3], 'note', ARGV[4])
return 1
