// The Node floor for the DNS benchmark: a UDP server that does no DNS work, answering every
// datagram with one fixed packet (argv[2], base64) after copying the query id into it. No
// agent can answer faster than this on Node; prints its port on stdout.
import dgram from 'node:dgram'

const answer = Buffer.from(process.argv[2], 'base64')
const sock = dgram.createSocket('udp4')
sock.on('message', (msg, rinfo) => {
  const out = Buffer.from(answer)
  out[0] = msg[0]
  out[1] = msg[1]
  sock.send(out, rinfo.port, rinfo.address)
})
sock.bind(0, '127.0.0.1', () => console.log(sock.address().port))
process.on('SIGTERM', () => sock.close(() => process.exit(0)))
