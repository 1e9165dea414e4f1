-- ARGV: topic, now (ms), cap (bound of ephemeral queues), defer, then the values. defer >= 0 is the
-- delay (ms) of every message of the batch (0: none), and each value follows; defer = -1 means the
-- delays differ, and each value is preceded by its own delay. A value is 8 bytes of timestamp
-- followed by the body. Returns {topic created (0/1), last id}.
local t = ARGV[1]
local now = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local shared = tonumber(ARGV[4])
local step = 1
if shared < 0 then
  step = 2
end
local n = (#ARGV - 4) / step
local created = ensuretopic(t)
local last = redis.call('HINCRBY', P, 'seq', n)
local first = last - n + 1
local chans = redis.call('SMEMBERS', CHS)
-- a paused topic holds what is published to it, as a topic without channels does, until it resumes
local paused = redis.call('HGET', P, 'paused') == '1'
if paused then
  chans = {}
end
-- one channel (or none) needs no count: a missing count reads as 1 (see release); and unless the
-- topic is paused, its ready messages keep their bodies inline, as id, value pairs in the channel's
-- :qi (the topic's :heldi without a channel), which costs Redis far less than an entry in the body
-- hash; a claim moves a body to the body hash while its message is in flight
local refs = #chans
local inline = refs <= 1 and not paused
local bodies, counts, ready, due = {}, {}, {}, {}
local bytes = 0
local at = 5
for i = 0, n - 1 do
  local id = first + i
  local defer = shared
  if step == 2 then
    defer = tonumber(ARGV[at])
    at = at + 1
  end
  local value = ARGV[at]
  at = at + 1
  bytes = bytes + #value
  if defer > 0 then
    bodies[#bodies + 1] = id
    bodies[#bodies + 1] = value
    due[#due + 1] = now + defer
    due[#due + 1] = id
  elseif inline then
    ready[#ready + 1] = id
    ready[#ready + 1] = value
  else
    bodies[#bodies + 1] = id
    bodies[#bodies + 1] = value
    ready[#ready + 1] = id
  end
  if refs > 1 then
    counts[#counts + 1] = id
    counts[#counts + 1] = refs
  end
end
bytes = bytes - 8 * n
chunked('HSET', BODY, bodies, 2000)
chunked('HSET', REFS, counts, 2000)
redis.call('HINCRBY', P, 'n', n)
redis.call('HINCRBY', P, 'bytes', bytes)
if #chans == 0 then
  if inline then
    chunked('RPUSH', HELDI, ready, 2000)
  else
    chunked('RPUSH', HELD, ready, 1000)
  end
  chunked('ZADD', HDEF, due, 2000)
  if ephemeral(t) then
    redis.call('HINCRBY', P, 'drops', bound(HELD, HELDI, cap))
  end
else
  for _, ch in ipairs(chans) do
    local c = ck(ch)
    if inline then
      chunked('RPUSH', c .. ':qi', ready, 2000)
    else
      pushready(c, ready)
    end
    chunked('ZADD', c .. ':d', due, 2000)
    -- a channel's message count counts messages entering it, as nsqd's
    redis.call('HINCRBY', c, 'count', n)
    if ephemeral(t) or ephemeral(ch) then
      redis.call('HINCRBY', c, 'drops', bound(c .. ':q', c .. ':qi', cap))
    end
  end
end
return {created, last}
