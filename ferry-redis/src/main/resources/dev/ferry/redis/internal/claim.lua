-- ARGV: topic, channel, now (ms), max, deadline (ms), dead-letter hold (ms).
-- Returns {status, n, id, attempts, value, ... (n times), d, dead-letter topic, id, attempts, value,
-- ... (d times)}:
-- status 0 when the channel is missing; the first n are leases, the last d are messages past the
-- channel's dead-letter attempts, held in flight until they are moved (deadletter.lua).
local ch = ARGV[2]
local now = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local deadline = tonumber(ARGV[5])
local hold = tonumber(ARGV[6])
if redis.call('SISMEMBER', CHS, ch) == 0 then
  return {0, 0, 0, ''}
end
local c = ck(ch)
local q, d, f, a = c .. ':q', c .. ':d', c .. ':f', c .. ':a'
-- leases past their deadline come back (their consumer hears of it from its own node)
local expired = redis.call('ZRANGEBYSCORE', f, '-inf', now)
if #expired > 0 then
  chunked('ZREM', f, expired, 1000)
  chunked('RPUSH', q, expired, 1000)
  redis.call('HINCRBY', c, 'timeouts', #expired)
end
-- deferred messages that came due go first, oldest due time first
local due = redis.call('ZRANGEBYSCORE', d, '-inf', now)
if #due > 0 then
  chunked('ZREM', d, due, 1000)
  local reversed = {}
  for i = #due, 1, -1 do
    reversed[#reversed + 1] = due[i]
  end
  chunked('LPUSH', q, reversed, 1000)
end
-- a paused topic holds new messages back (publish.lua); what its channels already have is still delivered
if max <= 0 or redis.call('HGET', c, 'paused') == '1' then
  return {1, 0, 0, ''}
end
local ids = redis.call('LPOP', q, max)
if not ids then
  return {1, 0, 0, ''}
end
local values = redis.call('HMGET', BODY, unpack(ids))
local dlmax = tonumber(redis.call('HGET', c, 'dlmax') or '0')
local counts = redis.call('HMGET', a, unpack(ids))
local leases, dead, inflight, bumped, forgotten = {}, {}, {}, {}, {}
for i, id in ipairs(ids) do
  local value = values[i]
  if value then
    local attempts = tonumber(counts[i] or '0')
    if dlmax > 0 and attempts >= dlmax then
      dead[#dead + 1] = id
      dead[#dead + 1] = attempts
      dead[#dead + 1] = value
      inflight[#inflight + 1] = now + hold
      inflight[#inflight + 1] = id
    else
      attempts = attempts + 1
      bumped[#bumped + 1] = id
      bumped[#bumped + 1] = attempts
      leases[#leases + 1] = id
      leases[#leases + 1] = attempts
      leases[#leases + 1] = value
      inflight[#inflight + 1] = deadline
      inflight[#inflight + 1] = id
    end
  else
    -- a body that is gone (cannot happen unless keys were changed by hand): forget the id
    forgotten[#forgotten + 1] = id
  end
end
chunked('HSET', a, bumped, 2000)
chunked('HDEL', a, forgotten, 1000)
chunked('ZADD', f, inflight, 2000)
local out = {1, #leases / 3}
for _, v in ipairs(leases) do
  out[#out + 1] = v
end
out[#out + 1] = #dead / 3
out[#out + 1] = redis.call('HGET', c, 'dltopic') or ''
for _, v in ipairs(dead) do
  out[#out + 1] = v
end
return out
