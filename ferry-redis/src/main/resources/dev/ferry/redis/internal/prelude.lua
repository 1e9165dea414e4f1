-- Shared by every script (prepended by Scripts.java). KEYS[1] is the topic's key prefix
-- "<prefix>:{<topic>}" (the braces make every key of a topic one Redis Cluster hash slot),
-- KEYS[2] the instance's set of topic names. The data model is described in docs/REDIS.md.
local P = KEYS[1]
local REG = KEYS[2]
local CHS = P .. ':chs'
local HELD = P .. ':held'
local HDEF = P .. ':hdef'
local BODY = P .. ':b'
local REFS = P .. ':rc'
-- id, value pairs held for the first channel while the topic has none (and is not paused): their
-- bodies are inline, not in BODY. A channel's :qi holds pairs too, after its :q (claims take :q
-- first): a value '' there (never a real value, which has at least its 8-byte timestamp) means the
-- body is in BODY, shared with other channels
local HELDI = P .. ':heldi'

local function ck(ch)
  return P .. ':c:' .. ch
end

local function ephemeral(name)
  return string.sub(name, -10) == '#ephemeral'
end

-- Calls fn(part) for each run of at most step items of list, in order: Redis' Lua stack takes a few
-- thousand arguments at most, so a long list goes to a command in parts.
local function eachpart(list, step, fn)
  local i = 1
  while i <= #list do
    local part = {}
    for j = i, math.min(i + step - 1, #list) do
      part[#part + 1] = list[j]
    end
    i = i + #part
    fn(part)
  end
end

-- cmd key item... for every item of list, in parts of at most step items.
local function chunked(cmd, key, list, step)
  if #list == 0 then
    return
  end
  if #list <= step then
    redis.call(cmd, key, unpack(list))
    return
  end
  eachpart(list, step, function(part)
    redis.call(cmd, key, unpack(part))
  end)
end

-- A channel is done with these messages: drop the bodies no other channel still needs. A message
-- published to one channel (or held for the first) has no count, which reads as 1; a topic that
-- has no counts at all (one channel, the usual case) skips reading them.
local function release(ids)
  if #ids == 0 then
    return
  end
  if redis.call('EXISTS', REFS) == 0 then
    chunked('HDEL', BODY, ids, 1000)
    return
  end
  eachpart(ids, 1000, function(part)
    local counts = redis.call('HMGET', REFS, unpack(part))
    local gone = {}
    for k, id in ipairs(part) do
      if not counts[k] then
        gone[#gone + 1] = id
      elseif redis.call('HINCRBY', REFS, id, -1) <= 0 then
        redis.call('HDEL', REFS, id)
        gone[#gone + 1] = id
      end
    end
    if #gone > 0 then
      redis.call('HDEL', BODY, unpack(gone))
    end
  end)
end

-- The ids of the messages of the id, value pairs in flat whose body is in BODY (value '').
local function sharedids(flat)
  local ids = {}
  for i = 1, #flat, 2 do
    if flat[i + 1] == '' then
      ids[#ids + 1] = flat[i]
    end
  end
  return ids
end

-- Appends ids (bodies in BODY) to the ready messages of channel key c, after what it has: onto :q,
-- or, while :qi has entries (claimed after :q), onto :qi as id, '' pairs.
local function pushready(c, ids)
  if #ids == 0 then
    return
  end
  if redis.call('EXISTS', c .. ':qi') == 0 then
    chunked('RPUSH', c .. ':q', ids, 1000)
    return
  end
  local flat = {}
  for _, id in ipairs(ids) do
    flat[#flat + 1] = id
    flat[#flat + 1] = ''
  end
  chunked('RPUSH', c .. ':qi', flat, 2000)
end

-- The topic's :heldi (every value inline) gives its bodies to the body hash and goes; returns its
-- ids, in order. A message stored this way is needed by one channel (no count).
local function unpair(key)
  local flat = redis.call('LRANGE', key, 0, -1)
  if #flat == 0 then
    return {}
  end
  chunked('HSET', BODY, flat, 2000)
  local ids = {}
  for i = 1, #flat, 2 do
    ids[#ids + 1] = flat[i]
  end
  redis.call('DEL', key)
  return ids
end

-- Releases the shared bodies among the id, value pairs of list key (a :qi), reading it a part at a
-- time: a backlog of inline bodies is not copied into Lua all at once.
local function releaseshared(key)
  local len = redis.call('LLEN', key)
  for from = 0, len - 1, 2000 do
    release(sharedids(redis.call('LRANGE', key, from, from + 1999)))
  end
end

-- Drops every message of a channel (ready, deferred, in flight); keeps its settings and counters.
-- The bodies of its inline ready messages (:qi) go with the list.
local function dropchannel(ch)
  local c = ck(ch)
  releaseshared(c .. ':qi')
  release(redis.call('LRANGE', c .. ':q', 0, -1))
  release(redis.call('ZRANGE', c .. ':d', 0, -1))
  release(redis.call('ZRANGE', c .. ':f', 0, -1))
  redis.call('DEL', c .. ':q', c .. ':qi', c .. ':d', c .. ':f', c .. ':a')
end

local function droptopicheld()
  release(redis.call('LRANGE', HELD, 0, -1))
  release(redis.call('ZRANGE', HDEF, 0, -1))
  redis.call('DEL', HELD, HDEF, HELDI)
end

-- 1 when this call created the topic.
local function ensuretopic(t)
  if redis.call('SADD', REG, t) == 1 then
    redis.call('HSET', P, 'seq', redis.call('HGET', P, 'seq') or 0)
    return 1
  end
  return 0
end

-- 1 when this call created the channel; the first channel of a topic takes what the topic held.
local function ensurechannel(ch)
  if redis.call('SADD', CHS, ch) == 0 then
    return 0
  end
  local c = ck(ch)
  redis.call('DEL', c, c .. ':q', c .. ':qi', c .. ':d', c .. ':f', c .. ':a')
  redis.call('HSET', c, 'consumers', 0)
  local n = redis.call('SCARD', CHS)
  -- the first channel of a topic that is not paused takes what the topic held; a paused topic keeps
  -- it until it resumes, when every channel gets it (resumetopic)
  if n == 1 and redis.call('HGET', P, 'paused') ~= '1' then
    local taken = redis.call('LLEN', HELD) + redis.call('ZCARD', HDEF) + redis.call('LLEN', HELDI) / 2
    if redis.call('EXISTS', HELD) == 1 then
      redis.call('RENAME', HELD, c .. ':q')
    end
    if redis.call('EXISTS', HDEF) == 1 then
      redis.call('RENAME', HDEF, c .. ':d')
    end
    if redis.call('EXISTS', HELDI) == 1 then
      redis.call('RENAME', HELDI, c .. ':qi')
    end
    redis.call('HSET', c, 'count', taken)
  end
  -- a second channel starts empty; the first keeps its inline pairs, and what is published from now
  -- on is shared (publish.lua), appended after them (pushready), so nothing is moved here
  return 1
end

-- A paused topic resumes: every channel gets what the topic held (a topic without channels keeps it
-- for the first), each message counted as entering each channel.
local function resumetopic()
  local chans = redis.call('SMEMBERS', CHS)
  if #chans == 0 then
    -- still no channel: what the pause held joins the inline pairs, after them, for the first channel
    eachpart(redis.call('LRANGE', HELD, 0, -1), 1000, function(part)
      local values = redis.call('HMGET', BODY, unpack(part))
      local flat = {}
      for k, id in ipairs(part) do
        if values[k] then
          flat[#flat + 1] = id
          flat[#flat + 1] = values[k]
        end
      end
      chunked('RPUSH', HELDI, flat, 2000)
      redis.call('HDEL', BODY, unpack(part))
    end)
    redis.call('DEL', HELD)
    return
  end
  -- what was held before the pause (inline, for a first channel) comes first: to a single channel
  -- created during the pause it goes as it is (no copy), else its bodies move to the body hash
  if #chans == 1 and redis.call('EXISTS', ck(chans[1]) .. ':qi') == 0 and redis.call('EXISTS', HELDI) == 1 then
    local c = ck(chans[1])
    redis.call('HINCRBY', c, 'count', redis.call('LLEN', HELDI) / 2)
    redis.call('RENAME', HELDI, c .. ':qi')
  end
  local ready = unpair(HELDI)
  for _, id in ipairs(redis.call('LRANGE', HELD, 0, -1)) do
    ready[#ready + 1] = id
  end
  local scored = redis.call('ZRANGE', HDEF, 0, -1, 'WITHSCORES')
  local due = {}
  for i = 1, #scored, 2 do
    due[#due + 1] = scored[i + 1]
    due[#due + 1] = scored[i]
  end
  local n = #ready + #due / 2
  if n == 0 then
    return
  end
  if #chans > 1 then
    local counts = {}
    for _, id in ipairs(ready) do
      counts[#counts + 1] = id
      counts[#counts + 1] = #chans
    end
    for i = 2, #due, 2 do
      counts[#counts + 1] = due[i]
      counts[#counts + 1] = #chans
    end
    chunked('HSET', REFS, counts, 2000)
  end
  for _, ch in ipairs(chans) do
    local c = ck(ch)
    pushready(c, ready)
    chunked('ZADD', c .. ':d', due, 2000)
    redis.call('HINCRBY', c, 'count', n)
  end
  redis.call('DEL', HELD, HDEF)
end

local function deletechannel(ch)
  dropchannel(ch)
  redis.call('SREM', CHS, ch)
  redis.call('DEL', ck(ch))
end

-- Deletes the topic with its channels; returns the names of the channels it had.
local function deletetopic(t)
  local chans = redis.call('SMEMBERS', CHS)
  table.sort(chans)
  for _, ch in ipairs(chans) do
    deletechannel(ch)
  end
  redis.call('DEL', P, CHS, HELD, HDEF, HELDI, BODY, REFS)
  redis.call('SREM', REG, t)
  return chans
end

-- Keeps at most cap ready messages in list q of ids and list qi of id, value pairs (the oldest go,
-- :q first since claims take it first); returns how many went.
local function bound(q, qi, cap)
  if cap <= 0 then
    return 0
  end
  local inq = redis.call('LLEN', q)
  local over = inq + redis.call('LLEN', qi) / 2 - cap
  if over <= 0 then
    return 0
  end
  local fromq = math.min(over, inq)
  if fromq > 0 then
    release(redis.call('LPOP', q, fromq))
  end
  if over > fromq then
    -- inline bodies go with their list entries; shared ones are released
    release(sharedids(redis.call('LPOP', qi, 2 * (over - fromq))))
  end
  return over
end
