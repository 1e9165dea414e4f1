-- ARGV: topic, channel, now (ms). 1 when a claim could hand out something now: the channel exists,
-- it is not paused (a paused topic only holds new messages back), and it has a ready message, a deferred one come due or a
-- lease past its deadline. Read only.
local ch = ARGV[2]
local now = tonumber(ARGV[3])
if redis.call('SISMEMBER', CHS, ch) == 0 then
  return 0
end
local c = ck(ch)
if redis.call('HGET', c, 'paused') == '1' then
  return 0
end
if redis.call('LLEN', c .. ':q') > 0 or redis.call('LLEN', c .. ':qi') > 0 or redis.call('ZCOUNT', c .. ':d', '-inf', now) > 0
    or redis.call('ZCOUNT', c .. ':f', '-inf', now) > 0 then
  return 1
end
return 0
