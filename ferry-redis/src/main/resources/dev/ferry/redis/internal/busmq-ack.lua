-- busmq layout, reliable mode: drop acknowledged pairs (every id up to ARGV[1]) from the head of
-- toack; with ARGV[3] = 1, put the rest back at the head of the queue, in order.
-- KEYS: toack, messages. ARGV: last acknowledged id, ttl (s), restore (0/1).
local last = tonumber(ARGV[1])
while true do
  local id = redis.call('lindex', KEYS[1], 0)
  if not id or tonumber(id) > last then break end
  redis.call('lpop', KEYS[1])
  redis.call('lpop', KEYS[1])
end
local restored = 0
if ARGV[3] == '1' then
  local rest = redis.call('lrange', KEYS[1], 0, -1)
  for i = #rest, 1, -1 do redis.call('lpush', KEYS[2], rest[i]) end
  restored = #rest / 2
  redis.call('del', KEYS[1])
  if restored > 0 then redis.call('expire', KEYS[2], ARGV[2]) end
elseif redis.call('exists', KEYS[1]) == 1 then
  redis.call('expire', KEYS[1], ARGV[2])
end
return restored
