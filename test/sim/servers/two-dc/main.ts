import {formatTwoDcReport, runTwoDcSeed} from './run.js'

/**
 * Command-line runner of the two-datacenter simulator:
 *   npx tsx test/sim/servers/two-dc/main.ts [--seeds N] [--from S] [--seed S] [--verbose]
 */
const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}
const one = flag('seed') ?? process.env.DC_SIM_SEED
const count = Number(flag('seeds') ?? 10)
const from = Number(flag('from') ?? 1)
const seeds = one !== undefined && one !== '' ? [Number(one)] : Array.from({length: count}, (_, i) => from + i)
let failed = 0
for (const seed of seeds) {
  const r = await runTwoDcSeed(seed)
  if (args.includes('--verbose') || !r.ok) console.log(`seed ${seed}: ${r.ok ? 'ok' : 'FAIL'} ${r.events} events ${r.virtualMs} vms ${r.realMs} ms ${JSON.stringify(r.coverage)}`)
  if (!r.ok) {
    failed++
    console.log(formatTwoDcReport(r))
  }
}
console.log(`${seeds.length} seeds, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
