-- ARGV: topic, channel, now (ms), max, deadline (ms), dead-letter hold (ms).
-- Returns {status, n, id, attempts, value, ... (n times), d, dead-letter topic, id, attempts, value,
-- ... (d times)}:
-- status 0 when the channel is missing; the first n are leases, the last d are messages past the
-- channel's dead-letter attempts, held in flight until they are moved (deadletter.lua).
-- Attempts (the channel's :a hash) are implicit on a first delivery: an id in flight without a
-- count has been delivered once, an id not in flight without one never; the count is written when
-- a message is delivered again or leaves flight without being finished (here, and in answer.lua).
local ch = ARGV[2]
local now = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local deadline = tonumber(ARGV[5])
local hold = tonumber(ARGV[6])
if redis.call('SISMEMBER', CHS, ch) == 0 then
  return {0, 0, 0, ''}
end
local c = ck(ch)
local q, qi, d, f, a = c .. ':q', c .. ':qi', c .. ':d', c .. ':f', c .. ':a'
-- leases past their deadline come back (their consumer hears of it from its own node)
local expired = redis.call('ZRANGEBYSCORE', f, '-inf', now)
if #expired > 0 then
  chunked('ZREM', f, expired, 1000)
  chunked('RPUSH', q, expired, 1000)
  redis.call('HINCRBY', c, 'timeouts', #expired)
  -- a first delivery leaving flight: its one attempt becomes explicit
  local known = redis.call('HMGET', a, unpack(expired))
  local once = {}
  for i, id in ipairs(expired) do
    if not known[i] then
      once[#once + 1] = id
      once[#once + 1] = 1
    end
  end
  chunked('HSET', a, once, 2000)
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
-- ids whose bodies are in the body hash first (requeued, timed out, come due, published while the
-- topic had more channels), then id, value pairs of a one-channel topic (:qi), whose bodies move to
-- the body hash for as long as they are in flight
local ids = redis.call('LPOP', q, max) or {}
local values = {}
if #ids > 0 then
  values = redis.call('HMGET', BODY, unpack(ids))
end
if #ids < max then
  local flat = redis.call('LPOP', qi, 2 * (max - #ids))
  if flat then
    -- a value '' is a body already in the body hash (published while the topic had more channels)
    local moved, shared, at = {}, {}, {}
    for i = 1, #flat, 2 do
      local id, value = flat[i], flat[i + 1]
      ids[#ids + 1] = id
      if value == '' then
        shared[#shared + 1] = id
        at[#at + 1] = #ids
      else
        values[#ids] = value
        moved[#moved + 1] = id
        moved[#moved + 1] = value
      end
    end
    chunked('HSET', BODY, moved, 2000)
    if #shared > 0 then
      local got = redis.call('HMGET', BODY, unpack(shared))
      for k, pos in ipairs(at) do
        values[pos] = got[k]
      end
    end
  end
end
if #ids == 0 then
  return {1, 0, 0, ''}
end
local dlmax = tonumber(redis.call('HGET', c, 'dlmax') or '0')
-- most messages are delivered for the first time: read counts only when the channel has any
local counts = {}
if redis.call('EXISTS', a) == 1 then
  counts = redis.call('HMGET', a, unpack(ids))
end
local out = {1, 0}
local dead, inflight, bumped, forgotten = {}, {}, {}, {}
local n = 0
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
      if attempts > 1 then
        bumped[#bumped + 1] = id
        bumped[#bumped + 1] = attempts
      end
      out[#out + 1] = id
      out[#out + 1] = attempts
      out[#out + 1] = value
      n = n + 1
      inflight[#inflight + 1] = deadline
      inflight[#inflight + 1] = id
    end
  else
    -- a body that is gone (cannot happen unless keys were changed by hand): forget the id
    forgotten[#forgotten + 1] = id
  end
end
out[2] = n
chunked('HSET', a, bumped, 2000)
chunked('HDEL', a, forgotten, 1000)
chunked('ZADD', f, inflight, 2000)
out[#out + 1] = #dead / 3
out[#out + 1] = redis.call('HGET', c, 'dltopic') or ''
for _, v in ipairs(dead) do
  out[#out + 1] = v
end
return out
