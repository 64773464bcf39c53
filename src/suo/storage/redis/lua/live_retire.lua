local retired = redis.call('HGET', KEYS[1], 'retired')
if not retired or retired == '1' then return 0 end
redis.call('HSET', KEYS[1], 'retired', '1')
return 1
