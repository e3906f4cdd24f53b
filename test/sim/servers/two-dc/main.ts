import {seedArgs} from '../../cli-args.js'
import {formatTwoDcReport, runTwoDcSeed} from './run.js'

/**
 * Command-line runner of the two-datacenter simulator:
 *   npx tsx test/sim/servers/two-dc/main.ts [--seeds N] [--from S] [--seed S] [--verbose]
 */
const {seeds, verbose} = seedArgs(process.argv.slice(2), 10)
let failed = 0
for (const seed of seeds) {
  const r = await runTwoDcSeed(seed)
  if (verbose || !r.ok) console.log(`seed ${seed}: ${r.ok ? 'ok' : 'FAIL'} ${r.events} events ${r.virtualMs} vms ${r.realMs} ms ${JSON.stringify(r.coverage)}`)
  if (!r.ok) {
    failed++
    console.log(formatTwoDcReport(r))
  }
}
console.log(`${seeds.length} seeds, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
