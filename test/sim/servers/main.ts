import type {ServerParamOverrides} from './params.js'
import {seedArgs} from '../cli-args.js'
import {formatServerReport, runServerSeed} from './run.js'

/**
 * Command-line runner of the whole-server simulator:
 *   npx tsx test/sim/servers/main.ts [--seeds N] [--from S] [--seed S] [--light] [--verbose] [--override '{"servers":5}']
 * (DC_SIM_SEED / DC_SIM_SEEDS / DC_SIM_FROM work too). One line per failing seed (every
 * seed with --verbose) and the full report of each failure; exits 1 on any failure.
 */
async function main(): Promise<void> {
  const {flag, seeds, verbose, light} = seedArgs(process.argv.slice(2), 20)
  const override = flag('override')
  const overrides = override ? (JSON.parse(override) as ServerParamOverrides) : undefined
  const t0 = performance.now()
  let failed = 0
  let events = 0
  const totals: Record<string, number> = {}
  for (const seed of seeds) {
    const r = await runServerSeed(seed, {...(overrides ? {overrides} : {}), ...(light ? {safetyScale: 0.5} : {})})
    events += r.events
    for (const [k, n] of Object.entries(r.coverage)) totals[k] = (totals[k] ?? 0) + n
    if (verbose || !r.ok) {
      console.log(`seed ${seed}: ${r.ok ? 'ok' : 'FAIL'} ${r.events} events ${r.virtualMs} vms ${r.realMs} ms ops ${JSON.stringify(r.ops)} leaders ${r.leaders} faults ${r.faults.length} ${JSON.stringify(r.coverage)}`)
    }
    if (!r.ok) {
      failed++
      console.log(formatServerReport(r, light))
    }
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1)
  console.log(`coverage: ${JSON.stringify(totals)}`)
  console.log(`${seeds.length} seeds, ${failed} failed, ${events} events, ${secs}s`)
  process.exitCode = failed > 0 ? 1 : 0
}

await main()
