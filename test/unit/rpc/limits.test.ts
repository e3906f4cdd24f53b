import {describe, expect, it} from 'vitest'
import {FrameReader} from '../../../src/agent/rpc/frame.js'
import {RpcType} from '../../../src/agent/rpc/protocol.js'
import {deferred, echo, pool, rawConn, request, server, waitFor} from './harness.js'

const MUX = Buffer.of(RpcType.DcMux)

describe('rpc limits', () => {
  it('refuses connections past rpc_max_conns_per_client from one IP, counting each IP apart', async () => {
    const s = await server(echo, {maxConnsPerClient: 3})
    const open = []
    for (let i = 0; i < 3; i++) {
      const c = await rawConn(s.port)
      c.sock.write(Buffer.concat([MUX, request(1, 'Echo', i)]))
      await waitFor(`connection ${i} answered`, () => c.received().length > 0)
      open.push(c)
    }
    const fourth = await rawConn(s.port)
    await fourth.closed
    expect(s.stats().connsRejected).toBe(1)
    // Another source address is another client, with its own allowance.
    const other = pool({bindIp: '127.0.0.2'})
    expect(await other.call(s.addr, 'Echo', 'from .2', 5000)).toBe('from .2')
    // A slot freed by a closing connection can be taken again.
    open[0].sock.destroy()
    await waitFor('server saw the close', () => s.stats().conns === 3)
    const again = pool()
    expect(await again.call(s.addr, 'Echo', 'again', 5000)).toBe('again')
    expect(open[1].isClosed() || open[2].isClosed()).toBe(false)
  })

  it('runs at most maxInFlightPerConn calls of one connection at once, and serves them all', async () => {
    let running = 0
    let peak = 0
    const s = await server(async (_m, body) => {
      running++
      peak = Math.max(peak, running)
      // A slow handler: the rest of the connection's calls must wait their turn.
      await new Promise((r) => setTimeout(r, 2))
      running--
      return body
    }, {maxInFlightPerConn: 4})
    const p = pool()
    const results = await Promise.all(Array.from({length: 200}, (_, i) => p.call(s.addr, 'Slow', i, 20_000)))
    expect(results).toStrictEqual(Array.from({length: 200}, (_, i) => i))
    expect(peak).toBe(4)
    expect(s.stats().pausesInFlight).toBeGreaterThan(0)
  })

  it('holds back a saturated connection without stalling another', async () => {
    const held = deferred()
    const s = await server(async (m, body) => {
      if (m === 'Hold') await held.promise
      return body
    }, {maxInFlightPerConn: 4})
    const busy = pool()
    const queued = Array.from({length: 20}, (_, i) => busy.call(s.addr, 'Hold', i, 20_000))
    await waitFor('the bound is reached', () => s.stats().callsInFlight === 4)
    // The 16 others wait unread in the socket, not as running handlers.
    const other = pool({bindIp: '127.0.0.2'})
    expect(await other.call(s.addr, 'Echo', 'not stuck', 5000)).toBe('not stuck')
    expect(s.stats().callsInFlight).toBe(4)
    held.resolve()
    expect(await Promise.all(queued)).toStrictEqual(Array.from({length: 20}, (_, i) => i))
  })

  it('stops reading from a peer that sends requests but does not read answers', async () => {
    const big = 'y'.repeat(256 * 1024)
    // Unsent answers are bounded by maxInFlightPerConn answers: past that, no new call starts
    // until the socket drains.
    const s = await server(async () => big, {maxInFlightPerConn: 8})
    const N = 200
    const c = await rawConn(s.port)
    // Never read: the server's answers pile up in the socket until it must stop taking calls.
    c.sock.pause()
    c.sock.write(Buffer.concat([MUX, ...Array.from({length: N}, (_, i) => request(i + 1, 'Big', null))]))
    await waitFor('the server stopped reading for want of a reader', () => s.stats().pausesWriteBuffer > 0)
    expect(s.stats().calls).toBeLessThan(N)
    // Reading again lets everything through.
    const reader = new FrameReader(1 << 20)
    let answers = 0
    c.sock.on('data', (chunk: Buffer) => {
      reader.push(chunk)
      while (reader.next()) answers++
    })
    c.sock.resume()
    await waitFor('all answers read', () => answers === N, 20_000)
    expect(s.stats().calls).toBe(N)
  })
})
