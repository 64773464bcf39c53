-- Claim the code and start its counters from zero, in one step.
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('DEL', KEYS[2], KEYS[3])
  return 1
end
return 0
