import {describe, expect, it} from 'vitest'
import {echo, pool, server} from './harness.js'

describe('rpc round trips', () => {
  it('carries every plain value type unchanged, bytes as Uint8Array', async () => {
    const s = await server(echo)
    const p = pool()
    const bytes = new Uint8Array([0, 1, 2, 254, 255])
    const values: unknown[] = [
      null, true, false, 0, -1, 42, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1), 1.5, -0.25,
      '', 'ascii', 'ünïcødé ✓ 日本', 'x'.repeat(100_000),
      [], [1, 'two', null, [3]], {}, {Key: 'a/b', Flags: 7, Nested: {Deep: [true, {x: null}]}},
      bytes, new Uint8Array(0),
      {Value: bytes, List: [bytes, bytes]},
    ]
    for (const v of values) {
      const got = await p.call(s.addr, 'Echo', v, 5000)
      expect(got).toStrictEqual(v)
    }
    const b = await p.call<Uint8Array>(s.addr, 'Echo', bytes, 5000)
    // Exactly Uint8Array (not a Buffer subclass), so deep equality elsewhere holds too.
    expect(Object.getPrototypeOf(b)).toBe(Uint8Array.prototype)
    // A large payload spans many TCP reads; compared bytewise (deep equality of 1M elements is slow).
    const big = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 0xff)
    const back = await p.call<Uint8Array>(s.addr, 'Echo', big, 5000)
    expect(Object.getPrototypeOf(back)).toBe(Uint8Array.prototype)
    expect(Buffer.compare(back, big)).toBe(0)
  })

  it('drops undefined object fields and answers a void handler with null', async () => {
    const s = await server(async (m, body) => (m === 'Void' ? undefined : body))
    const p = pool()
    expect(await p.call(s.addr, 'Echo', {a: 1, b: undefined}, 5000)).toStrictEqual({a: 1})
    expect(await p.call(s.addr, 'Void', {}, 5000)).toBeNull()
  })

  it('passes the method name and the caller address to the handler', async () => {
    const seen: Array<{m: string; remote: string}> = []
    const s = await server(async (m, _b, info) => {
      seen.push({m, remote: info.remote})
      return 'ok'
    })
    // 127.0.0.2 is loopback too; the server must see the pool's bindIp as the source.
    const p = pool({bindIp: '127.0.0.2'})
    expect(await p.call(s.addr, 'KVS.Get', {}, 5000)).toBe('ok')
    expect(seen).toHaveLength(1)
    expect(seen[0].m).toBe('KVS.Get')
    expect(seen[0].remote).toMatch(/^127\.0\.0\.2:\d+$/)
  })

  it('lets the kernel pick the source address when bindIp is a wildcard', async () => {
    const s = await server(async (_m, _b, info) => info.remote)
    expect(await pool({bindIp: '0.0.0.0'}).call(s.addr, 'Who', {}, 5000)).toMatch(/^127\.0\.0\.1:\d+$/)
  })

  it('multiplexes 1,000 concurrent calls on one connection and matches answers answered out of order', async () => {
    const N = 1000
    const waiting: Array<() => void> = []
    let arrived = 0
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const s = await server(async (_m, body) => {
      arrived++
      if (arrived === N) release()
      // Hold every call until all have arrived, then answer in reverse arrival order.
      await new Promise<void>((r) => waiting.push(r))
      return body
    // Room for all N at once, whatever the default per-connection bound is.
    }, {maxInFlightPerConn: N})
    const p = pool()
    const order: number[] = []
    const calls = Array.from({length: N}, (_, i) =>
      p.call<{i: number}>(s.addr, 'Echo', {i}, 20_000).then((r) => {
        order.push(r.i)
        return r.i
      }),
    )
    await gate
    for (let k = waiting.length - 1; k >= 0; k--) waiting[k]()
    const results = await Promise.all(calls)
    expect(results).toStrictEqual(Array.from({length: N}, (_, i) => i))
    // Answers came back in reverse: matched by sequence number, not by position.
    expect(order[0]).toBe(N - 1)
    expect(order[N - 1]).toBe(0)
    expect(p.size).toBe(1)
    expect(s.stats().connsAccepted).toBe(1)
  })

  it('reuses one pooled connection for sequential calls to the same address', async () => {
    const s = await server(echo)
    const p = pool()
    for (let i = 0; i < 20; i++) await p.call(s.addr, 'Echo', i, 5000)
    expect(s.stats().connsAccepted).toBe(1)
    expect(s.stats().calls).toBe(20)
  })
})
