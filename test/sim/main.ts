import type {ParamOverrides} from './params.js'
import {seedArgs} from './cli-args.js'
import {formatReport, runSeed} from './run.js'

/**
 * Command-line runner: `npx tsx test/sim/main.ts [--seeds N] [--from S] [--seed S] [--verbose] [--mutant name]...`
 * (`--mutant` turns on one of the planted-bug knobs of Mutants/WorkloadMutants, e.g. staleReads;
 * `--override '{"nodes":5}'` pins drawn parameters, see ParamOverrides).
 * Prints one line per seed and the full report of each failure; exits 1 on any failure.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const {flag, seeds, verbose, light} = seedArgs(args, 30)
  // --light: the safety phase halved, as `npm test` (sim.test.ts) runs its seeds.
  const safetyScale = light ? 0.5 : undefined
  const mutants: Record<string, unknown> = {}
  args.forEach((a, i) => {
    if (a !== '--mutant') return
    const [name, value] = (args[i + 1] ?? '').split('=')
    if (name) mutants[name] = value ?? true
  })
  const override = flag('override')
  const overrides = override ? (JSON.parse(override) as ParamOverrides) : undefined
  const t0 = performance.now()
  let failed = 0
  let events = 0
  const totals: Record<string, number> = {}
  for (const seed of seeds) {
    const r = await runSeed(seed, {mutants, ...(overrides ? {overrides} : {}), ...(safetyScale !== undefined ? {safetyScale} : {})})
    events += r.events
    for (const [k, n] of Object.entries(r.coverage)) totals[k] = (totals[k] ?? 0) + n
    if (verbose || !r.ok) {
      console.log(`seed ${seed}: ${r.ok ? 'ok' : 'FAIL'} ${r.events} events ${r.virtualMs} vms ${r.realMs} ms ops ${JSON.stringify(r.ops)} leaders ${r.leaders} faults ${r.faults.length} digest ${r.digest}`)
    }
    if (!r.ok) {
      failed++
      console.log(formatReport(r, safetyScale !== undefined ? '--light' : ''))
    }
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1)
  console.log(`coverage: ${JSON.stringify(totals)}`)
  console.log(`${seeds.length} seeds, ${failed} failed, ${events} events, ${secs}s`)
  process.exitCode = failed > 0 ? 1 : 0
}

await main()
