// Finds the nodes of a topic through a lookupd alone and reads from all of them; prints one JSON line
// with the bodies it got once it has as many as asked, each finished.
// usage: node discovery.js <lookupd-http-port> <topic> <channel> <count>
const nsq = require('nsqjs')

const [lookupdPort, topic, channel, count] =
  [Number(process.argv[2]), process.argv[3], process.argv[4], Number(process.argv[5])]
const result = { errors: [], bodies: [] }

const done = () => {
  result.ok = result.errors.length === 0 && result.bodies.length >= count
  console.log(JSON.stringify(result))
  process.exit(result.ok ? 0 : 1)
}
setTimeout(() => { result.errors.push('timed out'); done() }, 30000)

const reader = new nsq.Reader(topic, channel, {
  lookupdHTTPAddresses: [`127.0.0.1:${lookupdPort}`],
  lookupdPollInterval: 1,
  maxInFlight: 10
})
reader.on('error', (e) => result.errors.push(`reader: ${e.message}`))
reader.on('message', (msg) => {
  result.bodies.push(msg.body.toString())
  msg.finish()
  if (result.bodies.length === count) {
    setImmediate(() => reader.close())
    setTimeout(done, 200)
  }
})
reader.connect()
