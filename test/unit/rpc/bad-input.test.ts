import {decode} from '@msgpack/msgpack'
import {describe, expect, it} from 'vitest'
import {RpcType} from '../../../src/agent/rpc/protocol.js'
import {echo, frame, pool, rawConn, request, server, waitFor} from './harness.js'

const MUX = Buffer.of(RpcType.DcMux)

/**
 * Each case sends one kind of bad input on its own connection while a pooled client keeps
 * a connection open beside it: the bad connection must be closed, and the good one must
 * go on being served on the very same socket.
 */
async function setup(o: {handshakeTimeoutMs?: number; maxFrameBytes?: number} = {}) {
  const remotes = new Map<unknown, string>()
  const s = await server(async (m, body, info) => {
    remotes.set(body, info.remote)
    return body
  }, o)
  const p = pool()
  expect(await p.call(s.addr, 'Echo', 'before', 5000)).toBe('before')
  const healthy = async () => {
    expect(await p.call(s.addr, 'Echo', 'after', 5000)).toBe('after')
    // The same socket answered both calls: the good connection was never dropped.
    expect(remotes.get('after')).toBe(remotes.get('before'))
  }
  return {s, healthy}
}

describe('rpc server under bad input', () => {
  const cases: Array<[string, Buffer, string]> = [
    ['an unknown first byte', Buffer.from('GET / HTTP/1.1\r\n\r\n'), 'unknownProtocol'],
    ['a TLS ClientHello (TLS is not served yet)', Buffer.of(0x16, 0x03, 0x01, 0x00, 0x05), 'unknownProtocol'],
    ['a frame longer than maxFrameBytes (refused from its header alone)', Buffer.concat([MUX, Buffer.of(0, 0, 0x04, 0x01)]), 'framesRejected'],
    ['a zero-length frame', Buffer.concat([MUX, Buffer.of(0, 0, 0, 0)]), 'framesRejected'],
    ['a frame of an unknown codec version', Buffer.concat([MUX, frame([0, 1, 'Echo', 1], 2)]), 'framesRejected'],
    ['garbage that is not msgpack', Buffer.concat([MUX, Buffer.of(0, 0, 0, 3, 1, 0xc1, 0xc1)]), 'framesRejected'],
    ['msgpack claiming a 4-billion-element array', Buffer.concat([MUX, Buffer.of(0, 0, 0, 6, 1, 0xdd, 0xff, 0xff, 0xff, 0xff)]), 'framesRejected'],
    ['a message that is not a 4-element array', Buffer.concat([MUX, frame({a: 1})]), 'framesRejected'],
    ['a negative sequence number', Buffer.concat([MUX, frame([0, -1, 'Echo', 1])]), 'framesRejected'],
    ['a method that is not a string', Buffer.concat([MUX, frame([0, 1, 5, 1])]), 'framesRejected'],
    ['a response frame sent by a client', Buffer.concat([MUX, frame([1, 1, null, 1])]), 'framesRejected'],
    ['a __proto__ key (prototype pollution)', Buffer.concat([MUX, frame([0, 1, 'Echo', JSON.parse('{"__proto__": {"x": 1}}')])]), 'framesRejected'],
  ]
  for (const [what, bytes, counter] of cases) {
    it(`closes the connection that sends ${what}, and only that one`, async () => {
      const {s, healthy} = await setup({maxFrameBytes: 1024})
      const bad = await rawConn(s.port)
      bad.sock.write(bytes)
      await bad.closed
      expect(bad.received().length).toBe(0)
      expect(s.stats()[counter]).toBe(1)
      await healthy()
    })
  }

  it('closes a connection whose frame is cut short by the client', async () => {
    const {s, healthy} = await setup()
    const bad = await rawConn(s.port)
    const whole = request(1, 'Echo', 'x'.repeat(100))
    bad.sock.end(Buffer.concat([MUX, whole.subarray(0, 20)]))
    await bad.closed
    expect(bad.received().length).toBe(0)
    await healthy()
  })

  it('closes, after the handshake timeout, a client that sends nothing, only its type byte, or half a first frame', async () => {
    const {s, healthy} = await setup({handshakeTimeoutMs: 300})
    const t0 = Date.now()
    const silent = await rawConn(s.port)
    const typeOnly = await rawConn(s.port)
    typeOnly.sock.write(MUX)
    const half = await rawConn(s.port)
    half.sock.write(Buffer.concat([MUX, request(1, 'Echo', 1).subarray(0, 6)]))
    // A client that completes its handshake is not subject to the timeout.
    const good = await rawConn(s.port)
    good.sock.write(Buffer.concat([MUX, request(7, 'Echo', 'hi')]))
    await waitFor('the good raw client answered', () => good.received().length > 0)
    await Promise.all([silent.closed, typeOnly.closed, half.closed])
    // Timers may fire a little early or late; what matters is it was the timeout, not at once.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250)
    expect(s.stats().handshakeTimeouts).toBe(3)
    expect(good.isClosed()).toBe(false)
    const answer = decode(good.received().subarray(5)) as unknown[]
    expect(answer).toStrictEqual([1, 7, null, 'hi'])
    await healthy()
  })

  it('routes another first byte to a registered protocol handler with the bytes that followed it', async () => {
    const s = await server(echo)
    s.onProtocol(RpcType.Raft, (sock, rest) => {
      // Echo what arrived with the type byte, then everything after it.
      sock.write(rest)
      sock.on('data', (c: Buffer) => sock.write(c))
    })
    const c = await rawConn(s.port)
    c.sock.write(Buffer.concat([Buffer.of(RpcType.Raft), Buffer.from('append')]))
    await waitFor('first echo', () => c.received().toString() === 'append')
    c.sock.write('-entries')
    await waitFor('second echo', () => c.received().toString() === 'append-entries')
    expect(() => s.onProtocol(RpcType.DcMux, () => {})).toThrow()
  })
})
