-- busmq layout: push a batch, all or none, as that many busmq pushes would.
-- KEYS: metadata, messages, msgid, toack. ARGV: ttl (s), available channel, message...
-- The maxsize stored in the metadata bounds the queue (pairs id, message: 2 entries each).
-- Answers the last id, or false when the maxsize refused the batch.
local count = #ARGV - 2
local maxsize = tonumber(redis.call('hget', KEYS[1], 'maxsize') or '0') or 0
if maxsize > 0 and redis.call('llen', KEYS[2]) + 2 * count > 2 * maxsize then
  return false
end
-- the script is atomic, so one INCRBY gives the ids that count INCRs would
local last = redis.call('incrby', KEYS[3], count)
local first = last - count
local entries = {}
for i = 1, count do
  entries[2 * i - 1] = first + i
  entries[2 * i] = ARGV[i + 2]
end
for i = 1, #entries, 1000 do
  redis.call('rpush', KEYS[2], unpack(entries, i, math.min(i + 999, #entries)))
end
for i = 1, 4 do redis.call('expire', KEYS[i], ARGV[1]) end
-- one notification per batch: a busmq consumer drains until the list is empty
redis.call('publish', ARGV[2], last)
return last
