/** A tiny upstream resolver on 127.0.0.1 (UDP + TCP) for recursor tests: knows one name. */
import dgram from 'node:dgram'
import net from 'node:net'
import dnsPacket from 'dns-packet'

export const STUB_NAME = 'example.com'
export const STUB_ADDRESS = '93.184.216.34'

export interface StubResolver {
  port: number
  queries: string[]
  close(): Promise<void>
}

function answer(query: Buffer): Buffer {
  const q = dnsPacket.decode(query)
  const question = q.questions![0]
  const known = question.name.toLowerCase() === STUB_NAME && question.type === 'A'
  return dnsPacket.encode({
    type: 'response', id: q.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3),
    questions: q.questions,
    answers: known ? [{type: 'A', name: question.name, ttl: 300, data: STUB_ADDRESS}] : [],
  })
}

export async function startStubResolver(): Promise<StubResolver> {
  // The UDP-picked port may be taken for TCP by someone else: try a few.
  for (let attempt = 1; ; attempt++) {
    try {
      return await tryStart()
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 10) throw err
    }
  }
}

async function tryStart(): Promise<StubResolver> {
  const queries: string[] = []
  const udp = dgram.createSocket('udp4')
  udp.on('message', (msg, rinfo) => {
    queries.push(`udp ${dnsPacket.decode(msg).questions![0].name}`)
    udp.send(answer(msg), rinfo.port, rinfo.address)
  })
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve))
  const port = udp.address().port
  const sockets = new Set<net.Socket>()
  const tcp = net.createServer((sock) => {
    sockets.add(sock)
    sock.on('close', () => sockets.delete(sock))
    let buf = Buffer.alloc(0)
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d])
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0))
        buf = buf.subarray(2 + msg.length)
        queries.push(`tcp ${dnsPacket.decode(msg).questions![0].name}`)
        const out = answer(msg)
        const len = Buffer.alloc(2)
        len.writeUInt16BE(out.length)
        sock.write(Buffer.concat([len, out]))
      }
    })
  })
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject)
      tcp.listen(port, '127.0.0.1', () => resolve())
    })
  } catch (err) {
    await new Promise<void>((r) => udp.close(() => r()))
    throw err
  }
  return {
    port,
    queries,
    close: async () => {
      for (const s of sockets) s.destroy()
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ])
    },
  }
}

/** A loopback port with nothing listening (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}
