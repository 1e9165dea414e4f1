// Drives Ferry with nsqjs through requeue with a delay, touch, and channel pause/unpause, and prints
// one JSON line with what it saw.
// usage: node behaviours.js <tcp-port> <http-port>
const nsq = require('nsqjs')
const http = require('http')

const [port, httpPort] = [Number(process.argv[2]), Number(process.argv[3])]
const topic = 'behave'
const result = { errors: [] }
let requeuedAt = 0
// true from the pause's answer until the unpause is sent: a delivery then is a delivery while paused
let paused = false

const done = () => {
  result.ok = result.errors.length === 0 && result.requeueDelayMs >= 950 && result.pausedDelivered === false &&
    result.deliveredAfterUnpause === true
  console.log(JSON.stringify(result))
  process.exit(result.ok ? 0 : 1)
}
setTimeout(() => { result.errors.push('timed out'); done() }, 30000)

const post = (path, cb) => {
  const req = http.request({ host: '127.0.0.1', port: httpPort, path, method: 'POST' }, (res) => {
    res.resume()
    res.on('end', () => (res.statusCode === 200 ? cb() : result.errors.push(`${path}: ${res.statusCode}`)))
  })
  req.on('error', (e) => result.errors.push(`${path}: ${e.message}`))
  req.end()
}

const writer = new nsq.Writer('127.0.0.1', port)
writer.on('error', (e) => result.errors.push(`writer: ${e.message}`))

const reader = new nsq.Reader(topic, 'b', { nsqdTCPAddresses: [`127.0.0.1:${port}`], maxInFlight: 1 })
reader.on('error', (e) => result.errors.push(`reader: ${e.message}`))
reader.on('message', (msg) => {
  const body = msg.body.toString()
  if (body === 'requeue-me') {
    if (msg.attempts === 1) {
      requeuedAt = Date.now()
      msg.requeue(1000, false)
    } else {
      result.requeueDelayMs = Date.now() - requeuedAt
      result.attemptsAfterRequeue = msg.attempts
      msg.touch()
      setImmediate(() => {
        msg.finish()
        pauseAndPublish()
      })
    }
  } else if (body === 'while-paused') {
    result.pausedDelivered = paused
    result.deliveredAfterUnpause = !paused
    msg.finish()
    setImmediate(() => reader.close())
    setTimeout(done, 200)
  }
})

function pauseAndPublish () {
  post(`/channel/pause?topic=${topic}&channel=b`, () => {
    paused = true
    writer.publish(topic, 'while-paused', (err) => {
      if (err) result.errors.push(`publish: ${err.message}`)
      // nothing may arrive while the channel is paused: look again after 300 ms, then unpause
      setTimeout(() => {
        paused = false
        post(`/channel/unpause?topic=${topic}&channel=b`, () => {})
      }, 300)
    })
  })
}

writer.on('ready', () => {
  reader.connect()
  reader.on('ready', () => writer.publish(topic, 'requeue-me'))
})
writer.connect()
