-- Answers leases of one channel. ARGV: topic, channel, op, now (ms), then per lease: id, attempts,
-- millis. op is 'fin' (finish), 'req' (requeue after millis, 0: at once), 'touch' (new deadline
-- now + millis), 'dead' (finish a message moved to its dead-letter topic, counting it) or 'expire'
-- (the claiming node's timer: requeue it when its deadline has passed, counting a timeout).
-- Returns one number per lease: 1 done, 0 stale or unknown (expired, answered, or dropped),
-- 2 (expire only) still valid with a later deadline.
-- An id in flight without an attempts count has been delivered once (claim.lua); when it leaves
-- flight unfinished, the count is written.
local ch = ARGV[2]
local op = ARGV[3]
local now = tonumber(ARGV[4])
local out = {}
if redis.call('SISMEMBER', CHS, ch) == 0 then
  for i = 5, #ARGV, 3 do
    out[#out + 1] = 0
  end
  return out
end
local c = ck(ch)
local q, d, f, a = c .. ':q', c .. ':d', c .. ':f', c .. ':a'
local requeued, timeouts, dead = 0, 0, 0
local ids, attempts, millis = {}, {}, {}
for i = 5, #ARGV, 3 do
  ids[#ids + 1] = ARGV[i]
  attempts[#attempts + 1] = ARGV[i + 1]
  millis[#millis + 1] = tonumber(ARGV[i + 2])
end
local deadlines = redis.call('ZMSCORE', f, unpack(ids))
local current = {}
if redis.call('EXISTS', a) == 1 then
  current = redis.call('HMGET', a, unpack(ids))
end
local finished, counted, once, seen = {}, {}, {}, {}
-- the lease leaves flight unfinished: a first delivery's implicit attempt becomes explicit
local function leaving(k, id)
  if not current[k] then
    once[#once + 1] = id
    once[#once + 1] = 1
  end
end
for k, id in ipairs(ids) do
  local deadline = deadlines[k]
  local result = 0
  -- the same lease twice in one batch: only the first answer counts
  if deadline and (current[k] or '1') == attempts[k] and not seen[id] then
    seen[id] = true
    result = 1
    if op == 'fin' or op == 'dead' then
      finished[#finished + 1] = id
      if current[k] then
        counted[#counted + 1] = id
      end
      if op == 'dead' then
        dead = dead + 1
      end
    elseif op == 'req' then
      redis.call('ZREM', f, id)
      leaving(k, id)
      if millis[k] > 0 then
        redis.call('ZADD', d, now + millis[k], id)
      else
        redis.call('RPUSH', q, id)
      end
      requeued = requeued + 1
    elseif op == 'touch' then
      redis.call('ZADD', f, now + millis[k], id)
    elseif op == 'expire' then
      if tonumber(deadline) <= now then
        redis.call('ZREM', f, id)
        leaving(k, id)
        redis.call('RPUSH', q, id)
        timeouts = timeouts + 1
      else
        result = 2
      end
    end
  end
  out[#out + 1] = result
end
if #finished > 0 then
  chunked('ZREM', f, finished, 1000)
  chunked('HDEL', a, counted, 1000)
  release(finished)
end
chunked('HSET', a, once, 2000)
if requeued > 0 then
  redis.call('HINCRBY', c, 'requeues', requeued)
end
if timeouts > 0 then
  redis.call('HINCRBY', c, 'timeouts', timeouts)
end
if dead > 0 then
  redis.call('HINCRBY', c, 'dlcount', dead)
end
return out
