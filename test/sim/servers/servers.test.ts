import {describe, expect, it} from 'vitest'
import {runServerSeed, type ServerSimReport} from './run.js'
import {serverSeedTests} from './seed-tests.js'

/** The whole-server simulation: ServerRoles, client agents and clients under a seeded nemesis (seed-tests.ts has the knobs). */

function fingerprint(r: ServerSimReport): unknown {
  return {digest: r.digest, events: r.events, virtualMs: r.virtualMs, ops: r.ops, coverage: r.coverage, faults: r.faults, violations: r.violations}
}

describe('whole-server simulation', () => {
  it('replays a seed exactly (same event digest, history and outcome)', async () => {
    const a = await runServerSeed(3, {safetyScale: 0.5})
    const b = await runServerSeed(3, {safetyScale: 0.5})
    expect(fingerprint(b)).toEqual(fingerprint(a))
    const c = await runServerSeed(4, {safetyScale: 0.5})
    expect(c.digest).not.toBe(a.digest)
  }, 60_000)

  it('bootstraps both ways: -bootstrap-expect from empty disks, and a preset configuration', async () => {
    for (const bootstrap of ['expect', 'preset'] as const) {
      const r = await runServerSeed(11, {overrides: {bootstrap, faults: [], safetyMs: 2_000}})
      expect(r.violations).toEqual([])
      expect(r.params.bootstrap).toBe(bootstrap)
      expect(r.leaders).toBeGreaterThan(0)
      expect(r.coverage.writesOk).toBeGreaterThan(0)
    }
  }, 60_000)

  serverSeedTests(0, 2)
})
