-- Administration of one topic. ARGV: op, topic, channel (or ''), then the op's arguments.
-- Returns {code, ...}: code -1 the topic is missing, -2 the channel is missing, else:
--   create-topic          {1, topic created}
--   create-channel        {1, topic created, channel created}
--   register              {1, topic created, channel created}  (and counts a consumer)
--   unregister            {1, channel deleted, topic deleted}  (ephemeral ones go with the last)
--   delete-topic          {1, channel names...}
--   delete-channel, empty-topic, empty-channel, pause-topic, pause-channel, dead-letter  {1}
local op, t, ch = ARGV[1], ARGV[2], ARGV[3]
if op == 'create-topic' then
  return {1, ensuretopic(t)}
elseif op == 'create-channel' or op == 'register' then
  local tc = ensuretopic(t)
  local cc = ensurechannel(ch)
  if op == 'register' then
    redis.call('HINCRBY', ck(ch), 'consumers', 1)
  end
  return {1, tc, cc}
end
if redis.call('SISMEMBER', REG, t) == 0 then
  return {-1}
end
if op == 'delete-topic' then
  local out = {1}
  for _, name in ipairs(deletetopic(t)) do
    out[#out + 1] = name
  end
  return out
elseif op == 'empty-topic' then
  droptopicheld()
  return {1}
elseif op == 'pause-topic' then
  local was = redis.call('HGET', P, 'paused') == '1'
  redis.call('HSET', P, 'paused', ARGV[4])
  if was and ARGV[4] ~= '1' then
    resumetopic()
  end
  return {1}
end
if redis.call('SISMEMBER', CHS, ch) == 0 then
  return {-2}
end
local c = ck(ch)
if op == 'unregister' then
  local left = redis.call('HINCRBY', c, 'consumers', -1)
  if left < 0 then
    redis.call('HSET', c, 'consumers', 0)
    left = 0
  end
  local chdel, tdel = 0, 0
  if left == 0 and ephemeral(ch) then
    deletechannel(ch)
    chdel = 1
    if ephemeral(t) and redis.call('SCARD', CHS) == 0 then
      deletetopic(t)
      tdel = 1
    end
  end
  return {1, chdel, tdel}
elseif op == 'delete-channel' then
  deletechannel(ch)
  return {1}
elseif op == 'empty-channel' then
  dropchannel(ch)
  return {1}
elseif op == 'pause-channel' then
  redis.call('HSET', c, 'paused', ARGV[4])
  return {1}
elseif op == 'dead-letter' then
  if ARGV[4] == '0' then
    redis.call('HDEL', c, 'dlmax', 'dltopic', 'dlname')
  else
    redis.call('HSET', c, 'dlmax', ARGV[4], 'dltopic', ARGV[5], 'dlname', ARGV[6])
  end
  return {1}
end
return redis.error_reply('unknown admin op ' .. op)
