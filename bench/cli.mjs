// CLI start-up as a shell script pays it: whole-process wall time of `dc kv get` against a
// running agent, next to a bare `node -e 0` timed in turn with it (same run, interleaved, so
// machine noise hits both alike). Also the unbundled CLI (DC_CLI_UNBUNDLED=1) and `dc --help`.
//
//   npm run bench -- cli          CLI_BENCH_RUNS=30 node bench/cli.mjs
//   CLI_BENCH_BASELINE=/tmp/old/bin/run.js node bench/cli.mjs   # + another build's `kv get`
import {spawnSync} from 'node:child_process'
import {cpus} from 'node:os'
import {RUN_JS, request, startAgent} from './lib.mjs'

const RUNS = Number(process.env.CLI_BENCH_RUNS ?? 20)
const agent = await startAgent({dev: true})
await request(agent.addr, 'PUT', '/v1/kv/bench/key', 'value')
const env = {...process.env, NO_COLOR: '1', DC_HTTP_ADDR: agent.addr}

const cases = [
  ['node -e 0', [process.execPath, '-e', '0'], env],
  ['dc kv get bench/key', [process.execPath, RUN_JS, 'kv', 'get', 'bench/key'], env],
  ['dc kv get bench/key (unbundled)', [process.execPath, RUN_JS, 'kv', 'get', 'bench/key'], {...env, DC_CLI_UNBUNDLED: '1'}],
  ['dc --help', [process.execPath, RUN_JS, '--help'], env],
]
if (process.env.CLI_BENCH_BASELINE) cases.push(['baseline kv get bench/key', [process.execPath, process.env.CLI_BENCH_BASELINE, 'kv', 'get', 'bench/key'], env])
const times = new Map(cases.map(([name]) => [name, []]))
for (let i = 0; i < RUNS; i++) {
  for (const [name, [cmd, ...args], e] of cases) {
    const t0 = performance.now()
    const r = spawnSync(cmd, args, {env: e, stdio: ['ignore', 'pipe', 'pipe']})
    times.get(name).push(performance.now() - t0)
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`)
  }
}
await agent.stop()

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const floor = median(times.get('node -e 0'))
console.log(`## CLI wall time, median of ${RUNS} interleaved runs (${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version})`)
for (const [name, xs] of times) console.log(`${name.padEnd(34)} ${median(xs).toFixed(1).padStart(7)} ms  ${(median(xs) / floor).toFixed(2)}× node -e 0`)
