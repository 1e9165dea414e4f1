-- busmq layout: attach to a queue. Creates its metadata when missing; a stored ttl wins.
-- KEYS: metadata, messages, msgid, toack. ARGV: ttl (s), maxsize.
-- Answers {existed (0/1), ttl (s)}.
local stored = redis.call('hget', KEYS[1], 'ttl')
if stored then
  for i = 1, 4 do redis.call('expire', KEYS[i], stored) end
  return {1, tonumber(stored)}
end
redis.call('hset', KEYS[1], 'ttl', ARGV[1], 'source', 'local', 'discover', 'false', 'maxsize', ARGV[2])
for i = 1, 4 do redis.call('expire', KEYS[i], ARGV[1]) end
return {0, tonumber(ARGV[1])}
