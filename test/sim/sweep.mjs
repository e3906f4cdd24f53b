#!/usr/bin/env node
// Sweeps a seed range in sequential batches on one core (nice'd), one `tsx test/sim/main.ts`
// process per batch so a crash or hang costs one batch, not the sweep.
//   node test/sim/sweep.mjs --from 100000 --seeds 10000 [--batch 250] [--out /tmp/sweep]
// Writes <out>/batch-<from>.log per batch and appends "from count failed secs" to <out>/summary.
import {spawnSync} from 'node:child_process'
import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const args = process.argv.slice(2)
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : dflt
}
const from = Number(flag('from', 100000))
const total = Number(flag('seeds', 10000))
const batch = Number(flag('batch', 250))
const out = flag('out', '/tmp/dc-sim-sweep')
mkdirSync(out, {recursive: true})
for (let s = from; s < from + total; s += batch) {
  const n = Math.min(batch, from + total - s)
  const t0 = Date.now()
  const r = spawnSync('nice', ['-n', '10', 'npx', 'tsx', 'test/sim/main.ts', '--from', String(s), '--seeds', String(n)], {encoding: 'utf8', maxBuffer: 1 << 28, timeout: n * 60_000})
  writeFileSync(join(out, `batch-${s}.log`), `${r.stdout ?? ''}${r.stderr ?? ''}`)
  const failed = [...(r.stdout ?? '').matchAll(/^seed (\d+): FAIL/gm)].map((m) => m[1])
  const line = `${s} ${n} ${r.status === 0 ? 'ok' : `exit=${r.status ?? r.signal}`} failed=${failed.length} [${failed.join(',')}] ${((Date.now() - t0) / 1000).toFixed(0)}s\n`
  appendFileSync(join(out, 'summary'), line)
}
