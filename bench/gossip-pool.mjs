// Gossip with real processes: N dc agents in one LAN pool on 127.0.1.x (default port 8301),
// then N HashiCorp Serf agents (Debian `serf`, the reference implementation) on 127.0.2.x in
// the same run. Reports time to full membership, failure-detection time after kill -9, and
// per-agent RSS and CPU at rest, with dc / Serf ratios. `DC_BENCH_GOSSIP_N=20` for a smaller pool.
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RUN = join(ROOT, 'bin', 'run.js')
const N = Number(process.env.DC_BENCH_GOSSIP_N ?? 50)
const REST_MS = 20_000
const CLK = Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout.trim() || 100)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function procStats(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return {cpuTicks: Number(stat[11]) + Number(stat[12]), rssMb: rssKb / 1024}
  } catch {
    return undefined
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.floor(s.length / 2)] : NaN
}

async function waitUntil(fn, timeoutMs, stepMs = 200) {
  const t0 = Date.now()
  for (;;) {
    if (await fn()) return Date.now() - t0
    if (Date.now() - t0 > timeoutMs) return undefined
    await sleep(stepMs)
  }
}

async function runDc() {
  const dirs = []
  const procs = []
  const t0 = Date.now()
  for (let i = 1; i <= N; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'dc-bench-gossip-'))
    dirs.push(dir)
    const ip = `127.0.1.${i}`
    const args = [RUN, 'agent', '-server', '-bootstrap', `-data-dir=${dir}`, `-node=dc-${i}`, `-bind=${ip}`, `-client=${ip}`,
      '-http-port=8500', '-dns-port=-1', '-serf-wan-port=-1', '-server-port=-1', '-log-level=warn', ...(i > 1 ? ['-retry-join=127.0.1.1', '-retry-interval=1s'] : [])]
    procs.push(spawn(process.execPath, args, {stdio: 'ignore', env: {...process.env, NO_COLOR: '1'}}))
  }
  const members = async (ip) => {
    try {
      const r = await fetch(`http://${ip}:8500/v1/agent/members`)
      return await r.json()
    } catch {
      return []
    }
  }
  const alive = async (ip) => (await members(ip)).filter((m) => m.Status === 1).length
  const full = await waitUntil(async () => (await alive('127.0.1.1')) === N && (await alive(`127.0.1.${N}`)) === N, 120_000)
  const joinMs = full === undefined ? undefined : Date.now() - t0
  const rest = await atRest(procs.map((p) => p.pid))
  // Failure detection: kill -9 the last agent, time until the first agent says failed.
  procs[N - 1].kill('SIGKILL')
  const killedAt = Date.now()
  const detect = await waitUntil(async () => (await members('127.0.1.1')).some((m) => m.Name === `dc-${N}` && m.Status === 4), 60_000, 50)
  const everywhere = await waitUntil(async () => {
    for (const i of [2, Math.floor(N / 2), N - 1]) if (!(await members(`127.0.1.${i}`)).some((m) => m.Name === `dc-${N}` && m.Status === 4)) return false
    return true
  }, 60_000, 50)
  for (const p of procs) p.kill('SIGKILL')
  await sleep(500)
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
  return {joinMs, rest, detectMs: detect, everywhereMs: everywhere === undefined ? undefined : Date.now() - killedAt}
}

async function runSerf() {
  const procs = []
  const t0 = Date.now()
  for (let i = 1; i <= N; i++) {
    const ip = `127.0.2.${i}`
    procs.push(spawn('serf', ['agent', `-node=serf-${i}`, `-bind=${ip}:7946`, `-rpc-addr=${ip}:7373`, '-log-level=warn', ...(i > 1 ? ['-retry-join=127.0.2.1:7946', '-retry-interval=1s'] : [])], {stdio: 'ignore'}))
  }
  const members = (ip) => {
    const r = spawnSync('serf', ['members', '-format=json', `-rpc-addr=${ip}:7373`], {encoding: 'utf8'})
    try {
      return JSON.parse(r.stdout).members
    } catch {
      return []
    }
  }
  const alive = (ip) => members(ip).filter((m) => m.status === 'alive').length
  const full = await waitUntil(() => alive('127.0.2.1') === N && alive(`127.0.2.${N}`) === N, 120_000)
  const joinMs = full === undefined ? undefined : Date.now() - t0
  const rest = await atRest(procs.map((p) => p.pid))
  procs[N - 1].kill('SIGKILL')
  const killedAt = Date.now()
  const detect = await waitUntil(() => members('127.0.2.1').some((m) => m.name === `serf-${N}` && m.status === 'failed'), 60_000, 50)
  const everywhere = await waitUntil(() => [2, Math.floor(N / 2), N - 1].every((i) => members(`127.0.2.${i}`).some((m) => m.name === `serf-${N}` && m.status === 'failed')), 60_000, 50)
  for (const p of procs) p.kill('SIGKILL')
  await sleep(500)
  return {joinMs, rest, detectMs: detect, everywhereMs: everywhere === undefined ? undefined : Date.now() - killedAt}
}

/** CPU (% of one core) and RSS per process over REST_MS once the pool has converged. */
async function atRest(pids) {
  await sleep(3000)
  const a = pids.map(procStats)
  const t = Date.now()
  await sleep(REST_MS)
  const b = pids.map(procStats)
  const secs = (Date.now() - t) / 1000
  const cpu = pids.map((_, i) => (a[i] && b[i] ? ((b[i].cpuTicks - a[i].cpuTicks) / CLK / secs) * 100 : NaN)).filter((x) => !Number.isNaN(x))
  const rss = b.filter(Boolean).map((s) => s.rssMb)
  return {cpuPct: median(cpu), rssMb: median(rss), totalCpuPct: cpu.reduce((x, y) => x + y, 0)}
}

const fmt = (x, d = 1) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d))
const hasSerf = spawnSync('sh', ['-c', 'command -v serf']).status === 0
console.log(`gossip pool of ${N} agents on one host (2 vCPU): dc agents (-server, LAN defaults), then Serf agents`)
const dcR = await runDc()
const serfR = hasSerf ? await runSerf() : undefined
if (!serfR) console.log('serf not installed: no peer figures (apt-get install serf)')
const row = (name, f) => console.log(`${name.padEnd(34)} ${String(f(dcR)).padStart(10)} ${String(serfR ? f(serfR) : 'n/a').padStart(10)}`)
console.log(`${'measure'.padEnd(34)} ${'dc'.padStart(10)} ${'serf'.padStart(10)}`)
row('all members alive (s)', (r) => fmt(r.joinMs / 1000))
row('failure seen by one member (s)', (r) => fmt(r.detectMs / 1000))
row('failure seen by 3 members (s)', (r) => fmt(r.everywhereMs / 1000))
row('RSS per agent, median (MB)', (r) => fmt(r.rest.rssMb))
row('CPU per agent at rest, median (%)', (r) => fmt(r.rest.cpuPct, 2))
row('CPU of the whole pool (% of 1 core)', (r) => fmt(r.rest.totalCpuPct))
if (serfR) console.log(`ratios dc/serf: RSS ${fmt(dcR.rest.rssMb / serfR.rest.rssMb, 2)}, CPU ${fmt(dcR.rest.cpuPct / serfR.rest.cpuPct, 2)}, detection ${fmt(dcR.detectMs / serfR.detectMs, 2)}`)
