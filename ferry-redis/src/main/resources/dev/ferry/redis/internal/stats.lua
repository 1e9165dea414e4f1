-- ARGV: topic, now (ms). Returns {} when the topic is missing, else
-- {depth, messages, bytes, drops, paused, n, then per channel (sorted by name): name, depth,
--  in flight, deferred, messages, requeues, timeouts, drops, consumers, paused, dlmax, dead-letter topic as given,
--  dlcount}. Read only.
local t = ARGV[1]
local now = tonumber(ARGV[2])
if redis.call('SISMEMBER', REG, t) == 0 then
  return {}
end
local function num(key, field)
  return tonumber(redis.call('HGET', key, field) or '0')
end
local out = {redis.call('LLEN', HELD) + redis.call('LLEN', HELDI) / 2 + redis.call('ZCARD', HDEF), num(P, 'n'), num(P, 'bytes'), num(P, 'drops'),
  num(P, 'paused')}
local chans = redis.call('SMEMBERS', CHS)
table.sort(chans)
out[#out + 1] = #chans
for _, ch in ipairs(chans) do
  local c = ck(ch)
  out[#out + 1] = ch
  out[#out + 1] = redis.call('LLEN', c .. ':q') + redis.call('LLEN', c .. ':qi') / 2 + redis.call('ZCOUNT', c .. ':d', '-inf', now)
  out[#out + 1] = redis.call('ZCARD', c .. ':f')
  out[#out + 1] = redis.call('ZCOUNT', c .. ':d', '(' .. now, '+inf')
  out[#out + 1] = num(c, 'count')
  out[#out + 1] = num(c, 'requeues')
  out[#out + 1] = num(c, 'timeouts')
  out[#out + 1] = num(c, 'drops')
  out[#out + 1] = num(c, 'consumers')
  out[#out + 1] = num(c, 'paused')
  out[#out + 1] = num(c, 'dlmax')
  out[#out + 1] = redis.call('HGET', c, 'dlname') or ''
  out[#out + 1] = num(c, 'dlcount')
end
return out
