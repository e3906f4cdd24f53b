/**
 * The agent cache on virtual time: one fetch per entry, background refresh by blocking
 * queries, blocking reads served from the cache, Cache-Control on simple types, Age,
 * back-off and idle expiry.
 */
import {describe, expect, it} from 'vitest'
import {AgentCache, backoffMs, type CacheType} from '../../../src/agent/cache/cache.js'
import {createSimWorld, type SimWorld} from '../../../src/agent/env/sim.js'
import type {Env} from '../../../src/agent/env/types.js'

/** A fake server: a value at an index; blocking fetches park until the index moves or the wait ends. */
class FakeServer {
  index = 5
  value = 'v5'
  fetches = 0
  down = false
  private parked: (() => void)[] = []
  constructor(private readonly env: Env) {}
  write(value: string): void {
    this.index++
    this.value = value
    const p = this.parked
    this.parked = []
    p.forEach((f) => f())
  }
  fetch(minIndex: number, timeoutMs: number): Promise<{value: string; index: number}> {
    this.fetches++
    if (this.down) return Promise.reject(new Error('No known Consul servers'))
    if (minIndex < this.index) return Promise.resolve({value: this.value, index: this.index})
    return new Promise((resolve) => {
      const t = this.env.timers.after(timeoutMs, () => resolve({value: this.value, index: this.index}))
      this.parked.push(() => {
        t.cancel()
        resolve({value: this.value, index: this.index})
      })
    })
  }
}

function setup(opts: Partial<CacheType<unknown, string>> = {}) {
  const world = createSimWorld(7)
  const env = world.envFor('agent')
  const server = new FakeServer(env)
  const cache = new AgentCache(env, env.log)
  cache.register<unknown, string>('refreshing', {refresh: true, supportsBlocking: true, fetch: (_r, o) => server.fetch(o.minIndex, o.timeoutMs), ...opts})
  cache.register<unknown, string>('simple', {refresh: false, supportsBlocking: false, fetch: () => server.fetch(0, 0), ...opts})
  return {world, env, server, cache}
}

/** Runs virtual time until the promise settles. */
async function settle<T>(world: SimWorld, p: Promise<T>, maxMs = 3_600_000): Promise<T> {
  let done = false
  let out: T | undefined
  let err: unknown
  p.then((v) => { done = true; out = v }, (e) => { done = true; err = e })
  const ok = await world.runUntil(() => done, {deadlineMs: world.nowMs() + maxMs})
  if (!ok) await new Promise((r) => setImmediate(r))
  if (!done) throw new Error('promise did not settle in virtual time')
  if (err) throw err
  return out as T
}

describe('agent cache', () => {
  it('a miss fetches once for any number of concurrent readers, then hits', async () => {
    const {world, server, cache} = setup()
    const reads = Array.from({length: 50}, () => cache.get<string>('simple', 'k', undefined, {minIndex: 0, timeoutMs: 0}))
    const results = await settle(world, Promise.all(reads))
    expect(server.fetches).toBe(1)
    expect(results.every((r) => r.value === 'v5' && !r.meta.hit)).toBe(true)
    const again = await settle(world, cache.get<string>('simple', 'k', undefined, {minIndex: 0, timeoutMs: 0}))
    expect(again.meta.hit).toBe(true)
    expect(server.fetches).toBe(1)
  })

  it('refresh types keep a blocking query open and pick up writes without a reader asking', async () => {
    const {world, server, cache} = setup()
    const first = await settle(world, cache.get<string>('refreshing', 'k', undefined, {minIndex: 0, timeoutMs: 0}))
    expect(first).toMatchObject({value: 'v5', meta: {hit: false, index: 5}})
    await world.runUntil(world.nowMs() + 10)
    const parkedFetches = server.fetches
    expect(parkedFetches).toBe(2) // the background refresh is parked at index 5
    server.write('v6')
    await world.runUntil(world.nowMs() + 10)
    const hit = await settle(world, cache.get<string>('refreshing', 'k', undefined, {minIndex: 0, timeoutMs: 0}))
    expect(hit).toMatchObject({value: 'v6', meta: {hit: true, index: 6, ageMs: 0}})
    expect(server.fetches).toBe(3) // one wake-up, one new park; the read itself fetched nothing
  })

  it('a blocking read (?index) waits on the one background query and wakes with the write', async () => {
    const {world, server, cache} = setup()
    await settle(world, cache.get<string>('refreshing', 'k', undefined, {minIndex: 0, timeoutMs: 0}))
    const parked = Array.from({length: 100}, () => cache.get<string>('refreshing', 'k', undefined, {minIndex: 5, timeoutMs: 60_000}))
    await world.runUntil(world.nowMs() + 1000)
    const before = server.fetches
    server.write('v6')
    const woke = await settle(world, Promise.all(parked))
    expect(woke.every((r) => r.value === 'v6' && r.meta.index === 6)).toBe(true)
    await world.runUntil(world.nowMs() + 10)
    expect(server.fetches - before).toBe(1) // only the refresh re-parks
  })

  it('a blocking read with nothing new answers the current value when its wait ends', async () => {
    const {world, cache} = setup()
    await settle(world, cache.get<string>('refreshing', 'k', undefined, {minIndex: 0, timeoutMs: 0}))
    const t0 = world.nowMs()
    const r = await settle(world, cache.get<string>('refreshing', 'k', undefined, {minIndex: 5, timeoutMs: 30_000}))
    expect(r.meta.index).toBe(5)
    expect(world.nowMs() - t0).toBeGreaterThanOrEqual(30_000)
  })

  it('simple types honour max-age and must-revalidate; stale-if-error serves the old value when the refetch fails', async () => {
    const {world, server, cache} = setup()
    await settle(world, cache.get('simple', 'k', undefined, {minIndex: 0, timeoutMs: 0}))
    await world.runUntil(world.nowMs() + 65_000)
    const young = await settle(world, cache.get('simple', 'k', undefined, {minIndex: 0, timeoutMs: 0, maxAgeMs: 120_000}))
    expect(young.meta).toMatchObject({hit: true})
    expect(Math.round(young.meta.ageMs / 1000)).toBe(65)
    server.write('v6')
    const refetched = await settle(world, cache.get<string>('simple', 'k', undefined, {minIndex: 0, timeoutMs: 0, maxAgeMs: 30_000}))
    expect(refetched).toMatchObject({value: 'v6', meta: {hit: false}})
    const revalidated = await settle(world, cache.get<string>('simple', 'k', undefined, {minIndex: 0, timeoutMs: 0, mustRevalidate: true}))
    expect(revalidated.meta.hit).toBe(false)
    await world.runUntil(world.nowMs() + 65_000)
    server.down = true
    await expect(settle(world, cache.get('simple', 'k', undefined, {minIndex: 0, timeoutMs: 0, maxAgeMs: 30_000}))).rejects.toThrow('No known Consul servers')
    const stale = await settle(world, cache.get<string>('simple', 'k', undefined, {minIndex: 0, timeoutMs: 0, maxAgeMs: 30_000, staleIfErrorMs: 259_200_000}))
    expect(stale).toMatchObject({value: 'v6', meta: {hit: true}})
    expect(Math.round(stale.meta.ageMs / 1000)).toBe(65)
    // Without max-age the cached value is served as it is ("fail static").
    expect((await settle(world, cache.get('simple', 'k', undefined, {minIndex: 0, timeoutMs: 0}))).meta.hit).toBe(true)
  })

  it('refresh types ignore Cache-Control; Age counts from the lost contact and returns to 0 once refreshes succeed', async () => {
    const {world, server, cache} = setup({queryTimeoutMs: 10_000})
    await settle(world, cache.get('refreshing', 'k', undefined, {minIndex: 0, timeoutMs: 0}))
    server.down = true
    await world.runUntil(world.nowMs() + 12_000) // the parked refresh returns, the next one fails
    await world.runUntil(world.nowMs() + 20_000)
    const r = await settle(world, cache.get<string>('refreshing', 'k', undefined, {minIndex: 0, timeoutMs: 0, maxAgeMs: 1000, mustRevalidate: true}))
    expect(r.meta.hit).toBe(true)
    expect(r.meta.ageMs).toBeGreaterThanOrEqual(19_000)
    server.down = false
    server.write('v6')
    await world.runUntil(world.nowMs() + 120_000) // the back-off ends and a refresh succeeds
    const back = await settle(world, cache.get<string>('refreshing', 'k', undefined, {minIndex: 0, timeoutMs: 0}))
    expect(back).toMatchObject({value: 'v6', meta: {hit: true, ageMs: 0}})
  })

  it('failing refreshes back off instead of spinning', async () => {
    const {world, server, cache} = setup()
    server.down = true
    await expect(settle(world, cache.get('refreshing', 'k', undefined, {minIndex: 0, timeoutMs: 0}))).rejects.toThrow()
    await world.runUntil(world.nowMs() + 10 * 60_000)
    // Three quick retries, then 2 s, 4 s, … capped at a minute (plus jitter): a handful in ten minutes.
    expect(server.fetches).toBeGreaterThan(5)
    expect(server.fetches).toBeLessThan(25)
    expect(backoffMs(3, () => 0)).toBe(0)
    expect(backoffMs(4, () => 0)).toBe(2000)
    expect(backoffMs(40, () => 0)).toBe(60_000)
  })

  it('an entry nobody reads for the TTL is evicted and its refresh stops', async () => {
    const {world, server, cache} = setup({lastGetTtlMs: 3_600_000, queryTimeoutMs: 600_000})
    await settle(world, cache.get('refreshing', 'k', undefined, {minIndex: 0, timeoutMs: 0}))
    await world.runUntil(world.nowMs() + 30 * 60_000)
    await settle(world, cache.get('refreshing', 'k', undefined, {minIndex: 0, timeoutMs: 0})) // a read pushes expiry on
    await world.runUntil(world.nowMs() + 45 * 60_000)
    expect(cache.size()).toBe(1)
    await world.runUntil(world.nowMs() + 60 * 60_000)
    expect(cache.size()).toBe(0)
    const after = server.fetches
    await world.runUntil(world.nowMs() + 60 * 60_000)
    expect(server.fetches - after).toBeLessThanOrEqual(1) // at most the query parked before eviction
  })
})
