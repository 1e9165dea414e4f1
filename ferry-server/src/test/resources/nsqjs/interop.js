// Publishes COUNT messages to Ferry with nsqjs's Writer (single PUBs and MPUBs), consumes them with
// nsqjs's Reader, finishes each, and prints one JSON line with what happened. Given a lookupd HTTP
// port, the Reader finds the node through it (after the messages are published, so that the topic
// exists when it asks); otherwise it connects to the TCP port directly.
// usage: node interop.js <tcp-port> <count> [<lookupd-http-port>]
const nsq = require('nsqjs')

const port = Number(process.argv[2])
const count = Number(process.argv[3] || 100)
const lookupdPort = process.argv[4] ? Number(process.argv[4]) : null
// extra client options, e.g. {"snappy":true} or {"deflate":true}
const extra = JSON.parse(process.env.NSQJS_OPTS || '{}')
// the broker's HTTP port, to learn when it has every FIN; HTTPS when STATS_HTTPS is set
const statsPort = process.env.STATS_PORT ? Number(process.env.STATS_PORT) : null
const statsScheme = process.env.STATS_HTTPS ? 'https' : 'http'

function whenFinished (then) {
  const url = `${statsScheme}://127.0.0.1:${statsPort}/stats?format=json&topic=${topic}&include_mem=false`
  require(statsScheme).get(url, { rejectUnauthorized: false }, (res) => {
    let text = ''
    res.on('data', (d) => { text += d })
    res.on('end', () => {
      const ch = JSON.parse(text).topics[0].channels[0]
      if (ch.in_flight_count === 0 && ch.depth === 0) then()
      else setTimeout(() => whenFinished(then), 20)
    })
  }).on('error', (e) => errors.push(`stats: ${e.message}`))
}
const topic = 'interop'
const received = new Set()
const errors = []
let published = 0

const done = (ok) => {
  console.log(JSON.stringify({ ok, published, received: received.size, errors }))
  process.exit(ok ? 0 : 1)
}
setTimeout(() => done(false), 30000)

const reader = new nsq.Reader(topic, 'nsqjs', Object.assign(
  { maxInFlight: 10 },
  extra,
  lookupdPort
    ? { lookupdHTTPAddresses: [`127.0.0.1:${lookupdPort}`] }
    : { nsqdTCPAddresses: [`127.0.0.1:${port}`] }
))
reader.on('error', (e) => errors.push(`reader: ${e.message}`))
reader.on('message', (msg) => {
  const body = msg.body.toString()
  if (msg.attempts !== 1) errors.push(`attempts ${msg.attempts} for ${body}`)
  if (!/^[0-9a-f]{16}$/.test(msg.id)) errors.push(`bad id ${msg.id}`)
  received.add(body)
  msg.finish()
  if (received.size === count) {
    // nsqjs sends FIN on the next tick, and through its compressor when compressing: close once
    // the broker has them all (asked over its HTTP API when given), else after this tick
    const close = () => {
      reader.close()
      setTimeout(() => done(errors.length === 0), 200)
    }
    setImmediate(() => (statsPort ? whenFinished(close) : close()))
  }
})
if (!lookupdPort) reader.connect()

const writer = new nsq.Writer('127.0.0.1', port, extra)
writer.on('error', (e) => errors.push(`writer: ${e.message}`))
writer.on('ready', () => {
  const half = Math.floor(count / 2)
  const singles = []
  for (let i = 0; i < half; i++) singles.push(`m${i}`)
  const batch = []
  for (let i = half; i < count; i++) batch.push(`m${i}`)
  let pending = singles.length + 1
  const sent = (n) => (err) => {
    if (err) errors.push(`publish: ${err.message}`)
    else published += n
    if (--pending === 0) {
      writer.close()
      if (lookupdPort) reader.connect()
    }
  }
  singles.forEach((m) => writer.publish(topic, m, sent(1)))
  writer.publish(topic, batch, sent(batch.length))
})
writer.connect()
