import {describe, expect, it} from 'vitest'
import {runSeed, type SimReport} from './run.js'
import {seedTests} from './seed-tests.js'

/** The seeded simulation: real RaftNodes + FSM + state store under a seeded nemesis (seed-tests.ts has the knobs). */

/** What must be equal when a seed is replayed (wall time is not). */
function fingerprint(r: SimReport): unknown {
  return {digest: r.digest, events: r.events, virtualMs: r.virtualMs, ops: r.ops, coverage: r.coverage, faults: r.faults, violations: r.violations}
}

describe('deterministic simulation', () => {
  it('replays a seed exactly (same event digest, history and outcome)', async () => {
    const a = await runSeed(7)
    const b = await runSeed(7)
    expect(fingerprint(b)).toEqual(fingerprint(a))
    const c = await runSeed(8)
    expect(c.digest).not.toBe(a.digest)
  })

  seedTests(0, 2)
})
