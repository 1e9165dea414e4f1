// A node busmq 3.1 peer for Ferry's interoperability tests (ferry-redis BusmqInteropTest).
// usage: node peer.js COMMAND REDIS_URLS NAME [ARGS...]; prints one JSON line per result and
// "ready" once it consumes or is connected, so the test knows when to act.
'use strict';
const Bus = require('busmq');

const [command, urls, name, ...args] = process.argv.slice(2);
const bus = Bus.create({redis: urls.split(','), driver: process.env.BUSMQ_DRIVER || 'ioredis'});
const out = (value) => process.stdout.write(JSON.stringify(value) + '\n');
const done = () => { bus.disconnect(); setTimeout(() => process.exit(0), 50); };
const fail = (err) => { console.error('busmq error: ' + err); process.exit(1); };
bus.on('error', fail);

const commands = {
  // push COUNT messages (even: strings, odd: objects), print the ids
  push(count, ttl, maxsize) {
    const q = bus.queue(name);
    q.on('error', fail);
    q.on('attached', () => {
      const ids = [];
      let left = Number(count);
      for (let i = 0; i < Number(count); i++) {
        const message = i % 2 === 0 ? 'node ' + i : {from: 'node', n: i};
        q.push(message, (err, id) => {
          if (err) fail(err);
          ids.push(id === undefined ? null : id);
          if (--left === 0) { out({ids: ids}); q.detach(); done(); }
        });
      }
    });
    q.attach({ttl: Number(ttl || 30), maxsize: Number(maxsize || 0)});
  },
  // consume COUNT messages (remove: true/false, reliable: true/false, last), print them
  consume(count, remove, reliable, last, ackUpTo) {
    const q = bus.queue(name);
    const got = [];
    q.on('error', fail);
    q.on('consuming', (on) => { if (on) out('ready'); });
    q.on('message', (message, id) => {
      got.push({id: Number(id), message: message});
      if (ackUpTo && Number(id) === Number(ackUpTo)) q.ack(Number(id));
      if (got.length === Number(count)) {
        out({messages: got});
        q.detach();
        done();
      }
    });
    q.on('attached', () => q.consume({
      remove: remove !== 'false', reliable: reliable === 'true', last: Number(last || 0)}));
    q.attach();
  },
  // attach to every name given after NAME (NAME is ignored), ttl 60 s, then leave them
  create(...names) {
    let left = names.length;
    for (const n of names) {
      const q = bus.queue(n);
      q.on('error', fail);
      q.on('attached', () => { q.detach(); if (--left === 0) { out('created'); done(); } });
      q.attach({ttl: 60});
    }
  },
  // read the state a Ferry client left: exists, count, ttl, metadata KEY
  inspect(key) {
    const q = bus.queue(name);
    q.exists((err, exists) => {
      if (err) fail(err);
      q.count((err2, count) => {
        if (err2) fail(err2);
        q.metadata(key || 'ttl', (err3, value) => {
          if (err3) fail(err3);
          out({exists: exists, count: count, metadata: value});
          done();
        });
      });
    });
  },
  // a channel peer: connect or listen (default roles), or connect with explicit LOCAL REMOTE roles;
  // answers every message with "node got: MESSAGE"; on "bye" it disconnects and exits
  channel(mode, local, remote) {
    const c = local ? bus.channel(name, local, remote) : bus.channel(name);
    const events = [];
    c.on('error', fail);
    c.on('connect', () => out('ready'));
    c.on('remote:connect', () => { events.push('remote:connect'); c.send('hello from node'); });
    c.on('message', (message) => {
      events.push('message:' + message);
      if (message === 'bye') {
        out({events: events});
        c.disconnect();
        done();
        return;
      }
      c.send('node got: ' + message);
    });
    if (mode === 'listen') c.listen(); else c.connect();
  },
  // end-to-end rate: consume and push COUNT messages of SIZE bytes as fast as busmq goes
  bench(count, size) {
    const q = bus.queue(name);
    const body = 'x'.repeat(Number(size || 100));
    let got = 0;
    let started = 0;
    q.on('error', fail);
    q.on('message', () => {
      if (++got === Number(count)) {
        const seconds = (Date.now() - started) / 1000;
        out({count: got, seconds: seconds, rate: Math.round(got / seconds)});
        q.detach();
        done();
      }
    });
    q.on('consuming', (on) => {
      if (!on) return;
      started = Date.now();
      for (let i = 0; i < Number(count); i++) q.push(body);
    });
    q.on('attached', () => q.consume());
    q.attach();
  },
};

bus.on('online', () => commands[command](...args));
bus.connect();
