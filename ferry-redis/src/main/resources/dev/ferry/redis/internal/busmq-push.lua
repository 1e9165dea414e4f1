-- busmq layout: push a batch, all or none, as that many busmq pushes would.
-- KEYS: metadata, messages, msgid, toack. ARGV: ttl (s), available channel, message...
-- The maxsize stored in the metadata bounds the queue (pairs id, message: 2 entries each).
-- Answers the last id, or false when the maxsize refused the batch.
local count = #ARGV - 2
local maxsize = tonumber(redis.call('hget', KEYS[1], 'maxsize') or '0') or 0
if maxsize > 0 and redis.call('llen', KEYS[2]) + 2 * count > 2 * maxsize then
  return false
end
local id = 0
for i = 3, #ARGV do
  id = redis.call('incr', KEYS[3])
  redis.call('rpush', KEYS[2], id, ARGV[i])
end
for i = 1, 4 do redis.call('expire', KEYS[i], ARGV[1]) end
-- one notification per batch: a busmq consumer drains until the list is empty
redis.call('publish', ARGV[2], id)
return id
