-- KEYS: run hash. ARGV: worker.
local k = KEYS[1]
if redis.call('HGET', k, 'status') == 'claimed' and redis.call('HGET', k, 'worker') == ARGV[1] then
  redis.call('DEL', k)
  return 1
end
return 0
