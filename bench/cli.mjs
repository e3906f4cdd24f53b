// CLI start-up as a shell script pays it: whole-process wall time of `dc kv get` against a
// running agent, next to a bare `node -e 0` timed in turn with it (same run, interleaved, so
// machine noise hits both alike). `dc kv get` runs the fast path (bin/fast.js, no oclif); the
// same command with DC_CLI_OCLIF=1 runs the oclif bundle, DC_CLI_UNBUNDLED=1 unbundled oclif;
// `dc --help` always runs oclif.
//
//   npm run bench -- cli          CLI_BENCH_RUNS=30 node bench/cli.mjs
//   CLI_BENCH_ADDR=127.0.0.151:8500 node bench/cli.mjs          # an agent already running there
//   CLI_BENCH_BASELINE=/tmp/old/bin/run.js node bench/cli.mjs   # + another build's `kv get`
import {spawnSync} from 'node:child_process'
import {cpus, loadavg} from 'node:os'
import {RUN_JS, request, startAgent} from './lib.mjs'

const RUNS = Number(process.env.CLI_BENCH_RUNS ?? 20)
const agent = process.env.CLI_BENCH_ADDR ? {addr: process.env.CLI_BENCH_ADDR, stop: async () => {}} : await startAgent({dev: true})
await request(agent.addr, 'PUT', '/v1/kv/bench/key', 'value')
const env = {...process.env, NO_COLOR: '1', DC_HTTP_ADDR: agent.addr}
for (const k of ['CONSUL_HTTP_ADDR', 'DC_CLI_OCLIF', 'DC_CLI_UNBUNDLED']) delete env[k]

const cases = [
  ['node -e 0', [process.execPath, '-e', '0'], env],
  ['dc kv get bench/key', [process.execPath, RUN_JS, 'kv', 'get', 'bench/key'], env],
  ['dc kv get bench/key (oclif bundle)', [process.execPath, RUN_JS, 'kv', 'get', 'bench/key'], {...env, DC_CLI_OCLIF: '1'}],
  ['dc kv get bench/key (oclif unbundled)', [process.execPath, RUN_JS, 'kv', 'get', 'bench/key'], {...env, DC_CLI_UNBUNDLED: '1'}],
  ['dc --help', [process.execPath, RUN_JS, '--help'], env],
]
if (process.env.CLI_BENCH_BASELINE) cases.push(['baseline kv get bench/key', [process.execPath, process.env.CLI_BENCH_BASELINE, 'kv', 'get', 'bench/key'], env])
const times = new Map(cases.map(([name]) => [name, []]))
const load0 = loadavg()[0]
for (let i = 0; i < RUNS; i++) {
  for (const [name, [cmd, ...args], e] of cases) {
    const t0 = performance.now()
    const r = spawnSync(cmd, args, {env: e, stdio: ['ignore', 'pipe', 'pipe']})
    times.get(name).push(performance.now() - t0)
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`)
    if (name.startsWith('dc kv get') && String(r.stdout) !== 'value\n') throw new Error(`${name} printed ${JSON.stringify(String(r.stdout))}`)
  }
}
await agent.stop()

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]
const floor = times.get('node -e 0')
console.log(`## CLI wall time, ${RUNS} interleaved runs each (${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load ${load0.toFixed(1)}→${loadavg()[0].toFixed(1)})`)
console.log(`| command | median | p90 | median × node -e 0 | p90 × node -e 0 |\n|---|---|---|---|---|`)
for (const [name, xs] of times) {
  const m = pct(xs, 0.5)
  const p = pct(xs, 0.9)
  console.log(`| ${name} | ${m.toFixed(1)} ms | ${p.toFixed(1)} ms | ${(m / pct(floor, 0.5)).toFixed(2)} | ${(p / pct(floor, 0.9)).toFixed(2)} |`)
}
