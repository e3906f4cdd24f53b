// Agent plugins: what loading the example plugin costs at start, and what 1,000 plugin checks
// at a 1 s interval cost at run time, beside the same number of built-in TCP checks.
//
//   npm run bench -- plugins        PLUGIN_BENCH_STARTS=5 PLUGIN_BENCH_CHECKS=1000 node bench/plugins.mjs
//
// Start-up: wall time from spawn to "Agent started; ready" and RSS after 3 s idle, median of
// PLUGIN_BENCH_STARTS starts each. Checks: agent CPU (utime+stime from /proc) and event-loop
// delay (measured inside the agent by bench/eld-probe.mjs) over a 20 s window after 10 s warm-up.
import {mkdtempSync, readFileSync, utimesSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import {cpus, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {startAgent} from './lib.mjs'

const STARTS = Number(process.env.PLUGIN_BENCH_STARTS ?? 5)
const N = Number(process.env.PLUGIN_BENCH_CHECKS ?? 1000)
const WINDOW_MS = Number(process.env.PLUGIN_BENCH_WINDOW_MS ?? 20_000)
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PLUGIN_DIR = join(ROOT, 'examples', 'plugins')
const PROBE = join(ROOT, 'bench', 'eld-probe.mjs')
const dir = mkdtempSync(join(tmpdir(), 'dc-bench-plugins-'))
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]

function configDir(name, conf) {
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(conf))
  return ['-config-file', join(dir, `${name}.json`)]
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

/** CPU seconds (user + system) the process has used. */
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(f[11]) + Number(f[12])) / 100 // clock ticks; 100 Hz on Linux
}

const withPlugin = {plugin_dir: PLUGIN_DIR, plugins: [{name: 'file-age-check'}]}

// --- start-up -------------------------------------------------------------------------------
const startup = {}
for (const [label, conf] of [['without plugins', {}], ['with the example plugin', withPlugin]]) {
  const args = configDir(label.replace(/\W+/g, '-'), conf)
  const ready = []
  const rss = []
  for (let i = 0; i < STARTS; i++) {
    const a = await startAgent({dev: true, args})
    ready.push(a.readyMs)
    await sleep(3000)
    rss.push(rssMb(a.pid))
    await a.stop()
  }
  startup[label] = {readyMs: median(ready), rssMb: median(rss)}
}

// --- 1,000 checks at 1 s --------------------------------------------------------------------
const beat = join(dir, 'beat')
writeFileSync(beat, '')
const server = net.createServer((s) => s.end()).listen(0, '127.0.0.1')
await new Promise((r) => server.once('listening', r))
const tcpAddr = `127.0.0.1:${server.address().port}`
const touch = setInterval(() => utimesSync(beat, new Date(), new Date()), 500)

const runs = {
  'no checks': {},
  [`${N} built-in TCP checks`]: {checks: Array.from({length: N}, (_, i) => ({id: `tcp-${i}`, name: `tcp ${i}`, tcp: tcpAddr, interval: '1s', timeout: '1s'}))},
  [`${N} file-age plugin checks`]: {...withPlugin, checks: Array.from({length: N}, (_, i) => ({id: `age-${i}`, name: `age ${i}`, type: 'file-age', path: beat, max_age: '10s', interval: '1s'}))},
}
const load = {}
for (const [label, conf] of Object.entries(runs)) {
  const eld = join(dir, `${label.replace(/\W+/g, '-')}.eld.json`)
  // The probe reads these from the agent's environment (startAgent passes process.env on).
  process.env.DC_BENCH_ELD_FILE = eld
  process.env.DC_BENCH_ELD_WARMUP_MS = '10000'
  const b = await startAgent({dev: true, args: configDir(label.replace(/\W+/g, '-'), conf), nodeArgs: ['--import', PROBE]})
  delete process.env.DC_BENCH_ELD_FILE
  await sleep(10_000)
  const c0 = cpuSeconds(b.pid)
  await sleep(WINDOW_MS)
  const cpu = (cpuSeconds(b.pid) - c0) / (WINDOW_MS / 1000)
  const stats = JSON.parse(readFileSync(eld, 'utf8'))
  const passing = JSON.parse((await (await fetch(`http://${b.addr}/v1/health/state/passing`)).text())).length
  load[label] = {cpuPct: +(cpu * 100).toFixed(1), eldP50: stats.p50, eldP99: stats.p99, eldMax: stats.max, rssMb: +rssMb(b.pid).toFixed(1), passing}
  await b.stop()
}
clearInterval(touch)
server.close()

console.log(`## Agent plugins (${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version})`)
console.log(`start-up, median of ${STARTS}: spawn → ready, and RSS after 3 s idle`)
for (const [k, v] of Object.entries(startup)) console.log(`  ${k.padEnd(26)} ready ${v.readyMs.toFixed(0).padStart(5)} ms   RSS ${v.rssMb.toFixed(1)} MB`)
console.log(`checks at a 1 s interval, ${WINDOW_MS / 1000} s window after 10 s warm-up: agent CPU (of one core), event-loop delay inside the agent (how late its loop ran)`)
for (const [k, v] of Object.entries(load)) console.log(`  ${k.padEnd(26)} CPU ${String(v.cpuPct).padStart(5)} %   ELD p50 ${v.eldP50} ms  p99 ${v.eldP99} ms  max ${v.eldMax} ms   RSS ${v.rssMb} MB   passing ${v.passing}`)
