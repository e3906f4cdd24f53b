import {expect, it} from 'vitest'
import {DCS, formatTwoDcReport, runTwoDcSeed} from './run.js'

/**
 * The seeds `npm test` runs of the two-datacenter simulator, split over two files so
 * vitest runs the halves in parallel workers:
 *   DC_SIM_SEEDS=50 npx vitest run test/sim/servers/two-dc   more seeds (default 4)
 *   DC_SIM_FROM=1000                                         first seed of the range (default 1)
 *   DC_SIM_SEED=123 npx vitest run test/sim/servers/two-dc   replay one seed
 */
function seeds(): number[] {
  const one = process.env.DC_SIM_SEED
  if (one !== undefined && one !== '') return [Number(one)]
  const count = Number(process.env.DC_SIM_SEEDS ?? 4)
  const from = Number(process.env.DC_SIM_FROM ?? 1)
  return Array.from({length: count}, (_, i) => from + i)
}

export function twoDcSeedTests(part: number, parts: number): void {
  const single = process.env.DC_SIM_SEED !== undefined && process.env.DC_SIM_SEED !== ''
  const mine = seeds().filter((_, i) => (single ? part === 0 : i % parts === part))
  // DC_SIM_SEED replays in the first file; vitest fails a file with no test at all.
  if (mine.length === 0) it.skip('no seed in this half (DC_SIM_SEED runs in two-dc.test.ts)', () => {})
  for (const seed of mine) {
    it(`seed ${seed}`, async () => {
      const r = await runTwoDcSeed(seed)
      if (!r.ok) expect.fail(formatTwoDcReport(r))
      // A run that did nothing proves nothing: every route (local and cross-DC) was answered, and the WAN was cut.
      for (const home of DCS) for (const target of DCS) expect(r.coverage[`${home}>${target} ok`], `${home}>${target}`).toBeGreaterThan(0)
      expect(r.coverage['dc1>dc2 failed']).toBeGreaterThan(0)
      expect(r.coverage['dc2>dc1 failed']).toBeGreaterThan(0)
      expect(r.coverage.wanCuts).toBeGreaterThan(0)
    }, 60_000)
  }
}
