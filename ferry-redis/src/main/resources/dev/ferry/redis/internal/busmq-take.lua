-- busmq layout: take up to n (id, message) pairs off the head of the queue in one step.
-- KEYS: messages, toack. ARGV: ttl (s), n, reliable (1: keep them in toack until acknowledged).
-- Answers the flat list id1, message1, id2, message2, ...
local items = redis.call('lrange', KEYS[1], 0, 2 * tonumber(ARGV[2]) - 1)
local taken = #items - (#items % 2)
if taken == 0 then return {} end
if taken < #items then items[#items] = nil end
redis.call('ltrim', KEYS[1], taken, -1)
if ARGV[3] == '1' then
  for i = 1, taken, 500 do
    redis.call('rpush', KEYS[2], unpack(items, i, math.min(i + 499, taken)))
  end
  redis.call('expire', KEYS[2], ARGV[1])
end
return items
