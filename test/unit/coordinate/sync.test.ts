import {describe, expect, it} from 'vitest'
import {rateScaledIntervalMs, startCoordinateSync} from '../../../src/agent/coordinate-sync.js'
import {CoordinateClient} from '../../../src/agent/gossip/coordinate/index.js'
import {createFakeEnv} from '../registry/fake-env.js'

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('rateScaledIntervalMs (Consul\'s lib.RateScaledInterval)', () => {
  it('spreads n agents to the target rate, never below the minimum', () => {
    expect(rateScaledIntervalMs(64, 15_000, 1)).toBe(15_000)
    expect(rateScaledIntervalMs(64, 15_000, 960)).toBe(15_000)
    expect(rateScaledIntervalMs(64, 15_000, 6400)).toBe(100_000)
    expect(rateScaledIntervalMs(0, 15_000, 6400)).toBe(15_000)
  })
})

describe('startCoordinateSync (Consul\'s agent.sendCoordinate)', () => {
  it('sends the local coordinate every interval plus a stagger of up to one more', async () => {
    const env = createFakeEnv(3)
    const client = new CoordinateClient({random: env.random.float})
    const sent: {at: number; entry: unknown}[] = []
    const sync = startCoordinateSync({
      env,
      log: env.log,
      nodeName: 'node1',
      getCoordinate: () => client.getCoordinate(),
      send: (entry) => void sent.push({at: env.now(), entry}),
    })
    for (let i = 0; i < 10; i++) {
      env.advanceToNext()
      await settle()
    }
    expect(sent).toHaveLength(10)
    expect(sent[0]!.entry).toEqual({Node: 'node1', Segment: '', Coord: client.getCoordinate()})
    const gaps = sent.map((s, i) => s.at - (i === 0 ? 0 : sent[i - 1]!.at))
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(15_000)
      expect(g).toBeLessThan(30_000)
    }
    // The stagger is random, not a constant offset.
    expect(new Set(gaps).size).toBeGreaterThan(1)
    sync.stop()
    expect(env.pendingTimers()).toBe(0)
  })

  it('reports the coordinate current at send time, and skips rounds without one', async () => {
    const env = createFakeEnv()
    const client = new CoordinateClient({random: env.random.float})
    let ready = false
    const sent: unknown[] = []
    const sync = startCoordinateSync({
      env,
      log: env.log,
      nodeName: 'node1',
      intervalMinMs: 1000,
      getCoordinate: () => (ready ? client.getCoordinate() : undefined),
      send: (entry) => void sent.push(entry),
    })
    env.advanceToNext()
    await settle()
    expect(sent).toEqual([])
    ready = true
    client.update('peer', {Vec: [0.01, 0, 0, 0, 0, 0, 0, 0], Error: 0.1, Adjustment: 0, Height: 10e-6}, 5)
    env.advanceToNext()
    await settle()
    expect(sent).toEqual([{Node: 'node1', Segment: '', Coord: client.getCoordinate()}])
    sync.stop()
  })

  it('scales the interval with the LAN pool size', async () => {
    const env = createFakeEnv()
    const times: number[] = []
    const sync = startCoordinateSync({
      env,
      log: env.log,
      nodeName: 'node1',
      clusterSize: () => 6400,
      getCoordinate: () => ({Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 10e-6}),
      send: () => void times.push(env.now()),
    })
    env.advanceToNext()
    await settle()
    expect(times[0]).toBeGreaterThanOrEqual(100_000)
    expect(times[0]).toBeLessThan(200_000)
    sync.stop()
  })

  it('logs a failed send and keeps reporting', async () => {
    const env = createFakeEnv()
    let calls = 0
    const sync = startCoordinateSync({
      env,
      log: env.log,
      nodeName: 'node1',
      getCoordinate: () => ({Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 10e-6}),
      send: async () => {
        calls++
        throw new Error('No cluster leader')
      },
    })
    env.advanceToNext()
    await settle()
    env.advanceToNext()
    await settle()
    expect(calls).toBe(2)
    expect(env.logs.filter((l) => l.msg === 'Coordinate update error')).toHaveLength(2)
    sync.stop()
  })
})
