import * as net from 'node:net'
import {describe, expect, it} from 'vitest'
import {RpcError} from '../../../src/agent/rpc/client.js'
import {startRpcServer} from '../../../src/agent/rpc/server.js'
import {deferred, echo, log, pool, server, waitFor} from './harness.js'

/** The rejection of p, which must be an RpcError. */
async function rpcError(p: Promise<unknown>): Promise<RpcError> {
  const e = await p.then(() => undefined, (err: unknown) => err)
  expect(e).toBeInstanceOf(RpcError)
  return e as RpcError
}

async function freePort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as net.AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

describe('rpc errors', () => {
  it('returns a handler error with its message and code as kind remote', async () => {
    const s = await server(async (m) => {
      if (m === 'Coded') throw Object.assign(new Error('key not found'), {code: 'not-found'})
      if (m === 'String') throw 'plain string' // eslint-disable-line no-throw-literal
      if (m === 'NumCode') throw Object.assign(new Error('numbered'), {code: 5})
      throw Object.assign(new Error(`rpc: unknown method ${m}`), {code: 'unknown-method'})
    })
    const p = pool()
    const coded = await rpcError(p.call(s.addr, 'Coded', {}, 5000))
    expect(coded).toMatchObject({kind: 'remote', message: 'key not found', remoteCode: 'not-found', maybeDelivered: true})
    expect(await rpcError(p.call(s.addr, 'String', {}, 5000))).toMatchObject({kind: 'remote', message: 'plain string', remoteCode: undefined})
    expect(await rpcError(p.call(s.addr, 'NumCode', {}, 5000))).toMatchObject({kind: 'remote', message: 'numbered', remoteCode: undefined})
    expect(await rpcError(p.call(s.addr, 'Nope.Nope', {}, 5000))).toMatchObject({kind: 'remote', remoteCode: 'unknown-method'})
    expect(s.stats().errors).toBe(4)
    // Errors are answers: the connection stays up and serves on.
    expect(s.stats().connsAccepted).toBe(1)
  })

  it('answers a reply msgpack cannot carry with a remote error, not a hang', async () => {
    const s = await server(async () => 10n)
    const e = await rpcError(pool().call(s.addr, 'Big', {}, 5000))
    expect(e).toMatchObject({kind: 'remote', remoteCode: 'encode'})
  })

  it('fails an unencodable or oversized request locally, before it is sent', async () => {
    const s = await server(echo)
    const p = pool({maxRequestBytes: 1024})
    expect(await rpcError(p.call(s.addr, 'Echo', {n: 1n}, 5000))).toMatchObject({kind: 'protocol', maybeDelivered: false})
    expect(await rpcError(p.call(s.addr, 'Echo', 'x'.repeat(2000), 5000))).toMatchObject({kind: 'protocol', maybeDelivered: false})
    expect(await p.call(s.addr, 'Echo', 'small', 5000)).toBe('small')
    expect(s.stats().framesRejected).toBe(0)
  })

  it('times out one call without disturbing the others on the same connection', async () => {
    const held = deferred<string>()
    const s = await server(async (m, b) => (m === 'Hold' ? held.promise : b))
    const p = pool()
    const long = p.call(s.addr, 'Hold', {}, 10_000)
    const t0 = Date.now()
    const e = await rpcError(p.call(s.addr, 'Hold', {}, 100))
    expect(e).toMatchObject({kind: 'timeout', maybeDelivered: true})
    expect(Date.now() - t0).toBeLessThan(2000)
    expect(await p.call(s.addr, 'Echo', 1, 5000)).toBe(1)
    // Both held calls are answered now; the one that timed out has its late answer dropped.
    held.resolve('done')
    expect(await long).toBe('done')
    expect(await p.call(s.addr, 'Echo', 2, 5000)).toBe(2)
    expect(s.stats().connsAccepted).toBe(1)
  })

  it('times out each call at its own deadline: a shorter one issued later goes first, a longer one still answers', async () => {
    const held = deferred<string>()
    const s = await server(async (m) => (m === 'Hold' ? held.promise : m))
    const p = pool()
    const long = p.call(s.addr, 'Hold', {}, 10_000)
    const mid = rpcError(p.call(s.addr, 'Hold', {}, 400))
    const t0 = Date.now()
    const short = await rpcError(p.call(s.addr, 'Hold', {}, 50))
    expect(short).toMatchObject({kind: 'timeout', message: expect.stringMatching(/timed out after 50 ms/)})
    expect(Date.now() - t0).toBeLessThan(300)
    expect(await mid).toMatchObject({kind: 'timeout', message: expect.stringMatching(/timed out after 400 ms/)})
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300)
    held.resolve('done')
    expect(await long).toBe('done')
  })

  it('aborts the handler signal of a call whose caller timed out, and of every call when the caller disconnects', async () => {
    const aborted: string[] = []
    const s = await server(async (m, _b, info) => {
      // A blocking query's shape: wait until woken, or until the caller is gone.
      await new Promise<void>((resolve) => info.signal.addEventListener('abort', () => resolve()))
      aborted.push(`${m}: ${(info.signal.reason as Error).message}`)
      return null
    })
    const p = pool()
    expect(await rpcError(p.call(s.addr, 'Short', {}, 100))).toMatchObject({kind: 'timeout'})
    await waitFor('the server saw the cancel', () => aborted.length === 1)
    expect(aborted[0]).toMatch(/^Short: .*cancelled/)
    const parked = [1, 2, 3].map((i) => rpcError(p.call(s.addr, `Parked${i}`, {}, 30_000)))
    await waitFor('three calls parked', () => s.stats().callsInFlight === 3)
    await p.close()
    await Promise.all(parked)
    await waitFor('all parked calls released', () => aborted.length === 4 && s.stats().callsInFlight === 0)
    expect(aborted.slice(1).every((a) => /disconnected/.test(a))).toBe(true)
  })

  it('reports a refused connection as kind connect, not delivered', async () => {
    const port = await freePort()
    const e = await rpcError(pool().call(`127.0.0.1:${port}`, 'Echo', {}, 5000))
    expect(e).toMatchObject({kind: 'connect', maybeDelivered: false})
    expect(e.message).toMatch(/ECONNREFUSED/)
  })

  it('rejects a malformed address as kind connect', async () => {
    for (const a of ['127.0.0.1', 'nope', '127.0.0.1:0', '::1:8300', '[::1]:99999']) {
      expect(await rpcError(pool().call(a, 'Echo', {}, 1000))).toMatchObject({kind: 'connect', maybeDelivered: false})
    }
  })

  it('fails calls in flight as closed (maybe delivered) when the server goes away, and redials on next use', async () => {
    const held = deferred()
    const s1 = await startRpcServer({bindIp: '127.0.0.1', port: 0, log, handler: async () => held.promise})
    const addr = `127.0.0.1:${s1.port}`
    const p = pool()
    const calls = [rpcError(p.call(addr, 'Hold', {}, 10_000)), rpcError(p.call(addr, 'Hold', {}, 10_000))]
    await waitFor('both calls running on the server', () => s1.stats().callsInFlight === 2)
    await s1.close()
    for (const c of calls) expect(await c).toMatchObject({kind: 'closed', maybeDelivered: true})
    await waitFor('the broken connection leaves the pool', () => p.size === 0)
    // A server back on the same address: the pool dials afresh instead of reusing the dead socket.
    const s2 = await server(echo, {port: s1.port})
    expect(await p.call(addr, 'Echo', 'again', 5000)).toBe('again')
    expect(s2.stats().connsAccepted).toBe(1)
  })

  it('fails the calls of a connection whose server answers garbage as kind protocol', async () => {
    const bogus = net.createServer((sock) => sock.once('data', () => sock.write(Buffer.of(0, 0, 0, 2, 9, 9))))
    await new Promise<void>((r) => bogus.listen(0, '127.0.0.1', r))
    try {
      const e = await rpcError(pool().call(`127.0.0.1:${(bogus.address() as net.AddressInfo).port}`, 'Echo', {}, 5000))
      expect(e).toMatchObject({kind: 'protocol', maybeDelivered: true})
      expect(e.message).toMatch(/codec version 9/)
    } finally {
      bogus.close()
    }
  })

  it('fails calls in flight when the pool closes, and refuses calls after', async () => {
    const s = await server(() => new Promise(() => {}))
    const p = pool()
    const c = rpcError(p.call(s.addr, 'Hold', {}, 10_000))
    await waitFor('call running', () => s.stats().callsInFlight === 1)
    await p.close()
    expect(await c).toMatchObject({kind: 'closed', maybeDelivered: true})
    expect(await rpcError(p.call(s.addr, 'Echo', {}, 1000))).toMatchObject({kind: 'closed', maybeDelivered: false})
  })

  it('closes a connection left idle and dials again on the next call', async () => {
    const s = await server(echo)
    const p = pool({idleMs: 50})
    expect(await p.call(s.addr, 'Echo', 1, 5000)).toBe(1)
    await waitFor('idle connection closed on both ends', () => p.size === 0 && s.stats().conns === 0)
    expect(await p.call(s.addr, 'Echo', 2, 5000)).toBe(2)
    expect(s.stats().connsAccepted).toBe(2)
  })
})
