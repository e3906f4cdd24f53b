import {describe, expect, it} from 'vitest'
import {CoordinateUpdates} from '../../../src/agent/server/coordinate-updates.js'
import {HttpError} from '../../../src/agent/http/errors.js'
import type {Command} from '../../../src/store/fsm/index.js'
import {createFakeEnv} from '../registry/fake-env.js'

const coord = (x: number) => ({Vec: [x, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 10e-6})

function setup(opts: {batchSize?: number; maxBatches?: number; fail?: boolean} = {}) {
  const env = createFakeEnv()
  const applied: Command[] = []
  const u = new CoordinateUpdates({
    env,
    log: env.log,
    periodMs: 5000,
    batchSize: opts.batchSize,
    maxBatches: opts.maxBatches,
    apply: async (cmd) => {
      if (opts.fail) throw new Error('No cluster leader')
      applied.push(cmd)
      return true
    },
  })
  return {env, u, applied}
}

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('CoordinateUpdates (the server\'s Coordinate.Update)', () => {
  it('writes what is pending once per period, the latest per node and segment', async () => {
    const {env, u, applied} = setup()
    u.start()
    u.update({Node: 'a', Coord: coord(1)})
    u.update({Node: 'a', Coord: coord(2)})
    u.update({Node: 'a', Segment: 'alpha', Coord: coord(3)})
    u.update({Node: 'b', Coord: coord(4)})
    env.advance(4999)
    await settle()
    expect(applied).toEqual([])
    env.advance(1)
    await settle()
    expect(applied).toEqual([
      {
        type: 'coordinate-batch-update',
        updates: [
          {Node: 'a', Segment: '', Coord: coord(2)},
          {Node: 'a', Segment: 'alpha', Coord: coord(3)},
          {Node: 'b', Segment: '', Coord: coord(4)},
        ],
      },
    ])
    env.advance(5000)
    await settle()
    expect(applied).toHaveLength(1) // nothing new, nothing written
    u.stop()
    expect(env.pendingTimers()).toBe(0)
  })

  it('splits into batches and discards beyond batchSize × maxBatches, saying how many', async () => {
    const {env, u, applied} = setup({batchSize: 2, maxBatches: 2})
    for (let i = 0; i < 7; i++) u.update({Node: `n${i}`, Coord: coord(i)})
    await u.flush()
    expect(applied.map((c) => (c.type === 'coordinate-batch-update' ? c.updates.map((x) => x.Node) : []))).toEqual([
      ['n0', 'n1'],
      ['n2', 'n3'],
    ])
    expect(env.logs.some((l) => l.level === 'warn' && l.msg === 'Discarded 3 coordinate updates')).toBe(true)
    expect(u.size).toBe(0)
  })

  it('logs a failed write and keeps going', async () => {
    const {env, u} = setup({fail: true})
    u.update({Node: 'a', Coord: coord(1)})
    await u.flush()
    expect(env.logs.find((l) => l.msg === 'Batch update failed')?.fields).toEqual({error: 'No cluster leader'})
    u.update({Node: 'a', Coord: coord(1)})
    expect(u.size).toBe(1)
  })

  it('refuses invalid and incompatible coordinates with Consul\'s errors', () => {
    const {u} = setup()
    expect(() => u.update({Node: 'a', Coord: {...coord(1), Error: NaN}})).toThrow(new HttpError(500, 'invalid coordinate'))
    expect(() => u.update({Node: 'a', Coord: {...coord(1), Vec: [1, 2, 3]}})).toThrow('incompatible coordinate')
    expect(u.size).toBe(0)
  })
})
