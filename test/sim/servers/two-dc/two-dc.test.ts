import {describe, expect, it} from 'vitest'
import {runTwoDcSeed} from './run.js'
import {twoDcSeedTests} from './seed-tests.js'

/** Two datacenters of whole servers under per-DC faults and WAN cuts (seed-tests.ts has the knobs). */
describe('two-datacenter simulation', () => {
  it('replays a seed exactly (same event digest, coverage and outcome)', async () => {
    const a = await runTwoDcSeed(6)
    const b = await runTwoDcSeed(6)
    expect({digest: b.digest, events: b.events, coverage: b.coverage, faults: b.faults, violations: b.violations})
      .toEqual({digest: a.digest, events: a.events, coverage: a.coverage, faults: a.faults, violations: a.violations})
    expect(a.faults.some((f) => f.includes('WAN cut'))).toBe(true)
  }, 60_000)

  twoDcSeedTests(0, 2)
})
