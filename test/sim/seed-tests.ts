import {expect, it} from 'vitest'
import {formatReport, runSeed} from './run.js'

/**
 * The seed range `npm test` runs, shared by sim.test.ts and sim-2.test.ts so vitest runs the
 * two halves in parallel workers:
 *   DC_SIM_SEEDS=500 npx vitest run test/sim   more seeds (default 200, safety phase halved)
 *   DC_SIM_FROM=1000                           first seed of the range (default 1)
 *   DC_SIM_SEED=123 npx vitest run test/sim    replay one seed
 */
function seeds(): number[] {
  const one = process.env.DC_SIM_SEED
  if (one !== undefined && one !== '') return [Number(one)]
  const count = Number(process.env.DC_SIM_SEEDS ?? 200)
  const from = Number(process.env.DC_SIM_FROM ?? 1)
  return Array.from({length: count}, (_, i) => from + i)
}

/** Many seeds with a shorter faulty phase rather than few long ones; `npx tsx test/sim/main.ts --light` replays the same runs. */
const SAFETY_SCALE = 0.5

/** Seeds that once found a bug (see docs/simulation.md "Findings"), run at full length by part 0. */
const REGRESSION_SEEDS = [90741]

/** Defines one `it` per seed of part `part` (of `parts`): seed i belongs to part i mod parts. */
export function seedTests(part: number, parts: number): void {
  const single = process.env.DC_SIM_SEED !== undefined && process.env.DC_SIM_SEED !== ''
  const mine = seeds().filter((_, i) => (single ? part === 0 : i % parts === part))
  // DC_SIM_SEED replays in the first file; vitest fails a file with no test at all.
  if (mine.length === 0) it.skip('no seed in this half (DC_SIM_SEED runs in sim.test.ts)', () => {})
  const runs = [...mine.map((seed) => ({seed, light: true})), ...(single || part !== 0 ? [] : REGRESSION_SEEDS.map((seed) => ({seed, light: false})))]
  for (const {seed, light} of runs) {
    it(`seed ${seed}${light ? '' : ' (regression, full length)'}`, async () => {
      const r = await runSeed(seed, light ? {safetyScale: SAFETY_SCALE} : {})
      if (!r.ok) expect.fail(formatReport(r, light ? '--light' : ''))
      // A run that did nothing proves nothing: the workload must have made progress.
      expect(r.ops.ok).toBeGreaterThan(0)
      expect(r.events).toBeGreaterThan(500)
    })
  }
}
