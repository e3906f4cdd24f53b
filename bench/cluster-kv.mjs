// Three dc servers against three etcd members (issue 9), on one machine, in one run.
// dc: `dc agent -server -bootstrap-expect=3` on 127.0.0.171–173 (default ports 8300/8301/8302,
// HTTP 8500), joined by gossip. etcd: Debian's etcd, a static 3-member cluster on
// 127.0.0.174–176 (2379/2380), driven through its v3 HTTP/JSON gateway as bench/kv.mjs does.
// Both keep their default fsync and timings. Prints a table, ratios dc/etcd and JSON.
//
// Environment: CLUSTER_BENCH_SCALE (default 1) multiplies request counts;
// CLUSTER_BENCH_PROFILE=dir runs the dc servers under `node --cpu-prof` (profiles in dir/<node>,
// written when they stop; the dc failover is then skipped, as kill -9 loses the profile).
import {spawn, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {RUN_JS} from './lib.mjs'

const SCALE = Number(process.env.CLUSTER_BENCH_SCALE ?? 1)
const PROFILE = process.env.CLUSTER_BENCH_PROFILE
const n = (x) => Math.max(1, Math.round(x * SCALE))
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const DC_IPS = ['127.0.0.171', '127.0.0.172', '127.0.0.173']
const ETCD_IPS = ['127.0.0.174', '127.0.0.175', '127.0.0.176']

// --- HTTP client: keep-alive, one pool for the whole run, with a per-request timeout ---------

const pool = new http.Agent({keepAlive: true, maxSockets: 512})

function request(addr, method, path, body, timeoutMs = 30_000) {
  const [host, port] = addr.split(':')
  return new Promise((resolve) => {
    const req = http.request({host, port: Number(port), method, path, agent: pool, timeout: timeoutMs}, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode, body: Buffer.concat(chunks).toString()}))
      res.on('error', (e) => resolve({status: 0, body: String(e)}))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (e) => resolve({status: 0, body: String(e.code ?? e.message)}))
    req.end(body)
  })
}

/**
 * Closed-loop load: `concurrency` clients, client w issuing its requests one after another,
 * until `total` are done. `fn(i, w)` resolves true for a success. Failed requests are counted
 * and left out of the rate, so an error never passes for throughput.
 */
async function load(total, concurrency, fn) {
  const lat = []
  let next = 0
  let errors = 0
  let firstError = ''
  const t0 = performance.now()
  await Promise.all(Array.from({length: concurrency}, async (_, w) => {
    for (let i = next++; i < total; i = next++) {
      const s = performance.now()
      const r = await fn(i, w)
      if (r === true) lat.push(performance.now() - s)
      else { errors++; firstError ||= String(r) }
    }
  }))
  const secs = (performance.now() - t0) / 1000
  lat.sort((a, b) => a - b)
  const pct = (p) => +(lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? NaN).toFixed(2)
  return {opsPerSec: Math.round(lat.length / secs), p50: pct(0.5), p99: pct(0.99), errors, ...(errors ? {firstError} : {})}
}

/**
 * CPU time (user + system, ms) the system's live members used so far, from /proc/<pid>/stat.
 * On a shared machine ops/s depends on what else runs; CPU per operation mostly does not.
 */
const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout.trim() || 100)
function cpuMs(sys) {
  let t = 0
  for (const m of sys.live()) {
    try {
      const f = readFileSync(`/proc/${m.p.proc.pid}/stat`, 'utf8').split(') ')[1].split(' ')
      t += (Number(f[11]) + Number(f[12])) * TICK_MS // utime, stime (fields 14, 15)
    } catch {}
  }
  return t
}

/** load() against one system, adding the CPU its three members spent per operation (µs). */
async function measure(sys, total, concurrency, fn) {
  const c0 = cpuMs(sys)
  const l0 = process.cpuUsage()
  const r = await load(total, concurrency, fn)
  const done = Math.max(1, total - r.errors)
  r.cpuUsPerOp = Math.round(((cpuMs(sys) - c0) * 1000) / done)
  // The load generator shares the 2 vCPUs: what it spends per request is CPU the servers lack.
  const l = process.cpuUsage(l0)
  r.loadgenUsPerOp = Math.round((l.user + l.system) / done)
  return r
}

// --- processes ---------------------------------------------------------------------------

const procs = new Set()

function launch(cmd, args, readyRe, name) {
  const proc = spawn(cmd, args, {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
  procs.add(proc)
  let out = ''
  const ready = new Promise((resolve, reject) => {
    const on = (d) => {
      out = (out + d).slice(-20_000)
      if (readyRe.test(out)) resolve()
    }
    proc.stdout.on('data', on)
    proc.stderr.on('data', on)
    proc.on('exit', (c, sig) => { procs.delete(proc); reject(new Error(`${name} exited (${c ?? sig}): ${out.slice(-3000)}`)) })
  })
  ready.catch(() => {})
  return {proc, ready, name, output: () => out}
}

const alive = (p) => p.exitCode === null && p.signalCode === null

async function stopProc(p, signal = 'SIGTERM') {
  if (!alive(p)) return
  const exited = new Promise((r) => p.once('exit', r))
  p.kill(signal)
  const t = setTimeout(() => alive(p) && p.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(t)
}

async function waitFor(fn, timeoutMs, what, intervalMs = 100) {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const v = await fn().catch(() => undefined)
    if (v) return v
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(intervalMs)
  }
}

// --- dc ----------------------------------------------------------------------------------

async function startDc(root) {
  const members = DC_IPS.map((ip, i) => ({name: `s${i + 1}`, ip, http: `${ip}:8500`, rpc: `${ip}:8300`}))
  for (const m of members) {
    const dataDir = join(root, `dc-${m.name}`)
    mkdirSync(dataDir)
    const nodeArgs = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE, m.name)}`] : []
    m.p = launch(process.execPath, [
      ...nodeArgs, RUN_JS, 'agent', '-server', '-bootstrap-expect=3', '-node', m.name, '-bind', m.ip, '-client', m.ip,
      '-data-dir', dataDir, '-dns-port=-1', '-retry-interval=1s', ...DC_IPS.filter((ip) => ip !== m.ip).map((ip) => `-retry-join=${ip}:8301`),
    ], /Agent started; ready/, `dc ${m.name}`)
  }
  await Promise.all(members.map((m) => m.p.ready))
  const leaderOf = async (m) => JSON.parse((await request(m.http, 'GET', '/v1/status/leader', undefined, 1000)).body)
  const sys = {
    name: 'dc',
    members,
    live: () => members.filter((m) => alive(m.p.proc)),
    /** The leader's member once every live member names the same one (and not `not`). */
    async agreedLeader(not) {
      const seen = await Promise.all(sys.live().map(leaderOf))
      const l = seen[0]
      return l && l !== not?.rpc && seen.every((x) => x === l) ? members.find((m) => m.rpc === l) : undefined
    },
    put: async (m, k, v, t) => { const r = await request(m.http, 'PUT', `/v1/kv/${k}`, v, t); return r.status === 200 && r.body.trim() === 'true' ? true : `${r.status} ${r.body.slice(0, 100)}` },
    get: async (m, k, mode = '') => { const r = await request(m.http, 'GET', `/v1/kv/${k}${mode ? '?' + mode : ''}`); return r.status === 200 ? true : `${r.status} ${r.body.slice(0, 100)}` },
    stop: () => Promise.all(members.map((m) => stopProc(m.p.proc))),
  }
  await waitFor(() => sys.agreedLeader(), 60_000, 'dc leader')
  await waitFor(async () => (await sys.put(members[0], 'ready', 'x', 5000)) === true, 30_000, 'dc first write')
  return sys
}

// --- etcd --------------------------------------------------------------------------------

async function startEtcd(root) {
  const members = ETCD_IPS.map((ip, i) => ({name: `e${i + 1}`, ip, http: `${ip}:2379`}))
  const cluster = members.map((m) => `${m.name}=http://${m.ip}:2380`).join(',')
  for (const m of members) {
    m.p = launch('etcd', [
      '--name', m.name, '--data-dir', join(root, `etcd-${m.name}`),
      '--listen-client-urls', `http://${m.http}`, '--advertise-client-urls', `http://${m.http}`,
      '--listen-peer-urls', `http://${m.ip}:2380`, '--initial-advertise-peer-urls', `http://${m.ip}:2380`,
      '--initial-cluster', cluster, '--initial-cluster-state', 'new', '--initial-cluster-token', 'cluster-bench',
    ], /ready to serve client requests/, `etcd ${m.name}`)
  }
  await Promise.all(members.map((m) => m.p.ready))
  const b64 = (s) => Buffer.from(s).toString('base64')
  const status = async (m) => JSON.parse((await request(m.http, 'POST', '/v3/maintenance/status', '{}', 1000)).body)
  const sys = {
    name: 'etcd',
    members,
    live: () => members.filter((m) => alive(m.p.proc)),
    async agreedLeader(not) {
      const live = sys.live()
      const seen = await Promise.all(live.map(status))
      for (const [i, s] of seen.entries()) live[i].id = s.header.member_id
      const l = seen[0].leader
      const leader = members.find((m) => m.id === l)
      return l && l !== '0' && leader && leader !== not && seen.every((s) => s.leader === l) ? leader : undefined
    },
    put: async (m, k, v, t) => {
      const r = await request(m.http, 'POST', '/v3/kv/put', JSON.stringify({key: b64(k), value: b64(v)}), t)
      return r.status === 200 && r.body.includes('"header"') ? true : `${r.status} ${r.body.slice(0, 100)}`
    },
    get: async (m, k, serializable = false) => {
      const r = await request(m.http, 'POST', '/v3/kv/range', JSON.stringify({key: b64(k), serializable}))
      return r.status === 200 && r.body.includes('"header"') ? true : `${r.status} ${r.body.slice(0, 100)}`
    },
    stop: () => Promise.all(members.map((m) => stopProc(m.p.proc))),
  }
  // Learn every member's ID (a leader's ID is matched to its member by it).
  await waitFor(async () => (await sys.agreedLeader()) && members.every((m) => m.id), 60_000, 'etcd leader')
  await waitFor(async () => (await sys.put(members[0], 'ready', 'x', 5000)) === true, 30_000, 'etcd first write')
  return sys
}

// --- failover ----------------------------------------------------------------------------

/**
 * kill -9 of the leader under a light open-loop write load (one PUT every 10 ms, round-robin
 * over the three members, whatever their state, as a client with the three addresses would).
 * Times from the kill to: the survivors agreeing on a new leader, and the first write sent
 * after the kill that is acknowledged.
 */
async function failover(sys) {
  const old = await waitFor(() => sys.agreedLeader(), 10_000, `${sys.name} leader`)
  let seq = 0
  let tKill = Infinity
  let firstAck = Infinity
  let failedAfterKill = 0
  let running = true
  const inflight = new Set()
  const writer = (async () => {
    while (running) {
      const i = seq++
      const m = sys.members[i % 3]
      const sent = performance.now()
      const p = sys.put(m, `failover/${i}`, String(i), 15_000).then((ok) => {
        if (sent < tKill) return
        if (ok === true) firstAck = Math.min(firstAck, performance.now())
        else failedAfterKill++
      })
      inflight.add(p)
      p.finally(() => inflight.delete(p))
      await sleep(10)
    }
  })()
  await sleep(1500)
  tKill = performance.now()
  old.p.proc.kill('SIGKILL')
  const leader = await waitFor(() => sys.agreedLeader(old), 30_000, `${sys.name} new leader`, 10)
  const tLeader = performance.now()
  await waitFor(async () => firstAck < Infinity, 30_000, `${sys.name} first write after kill`, 10)
  running = false
  await writer
  await Promise.all(inflight)
  return {killed: old.name, newLeader: leader.name, newLeaderMs: Math.round(tLeader - tKill), firstAckMs: Math.round(firstAck - tKill), failedWritesSentAfterKill: failedAfterKill}
}

// --- the run -----------------------------------------------------------------------------

function lscpuModel() {
  const r = spawnSync('lscpu', [], {encoding: 'utf8'})
  return /Model name:\s*(.+)/.exec(r.stdout ?? '')?.[1]?.trim() ?? 'unknown'
}

async function main() {
  if (spawnSync('etcd', ['--version'], {stdio: 'ignore'}).status !== 0) {
    console.log('etcd not installed (apt-get install etcd-server): no side-by-side figures, nothing measured')
    return
  }
  const root = mkdtempSync(join(tmpdir(), 'cluster-bench-'))
  const cleanup = async () => {
    await Promise.all([...procs].map((p) => stopProc(p)))
    rmSync(root, {recursive: true, force: true})
  }
  const onSignal = () => void cleanup().then(() => process.exit(130))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const t0 = performance.now()
    const [dc, etcd] = await Promise.all([startDc(root), startEtcd(root)])
    const meta = {
      bench: 'cluster-kv', date: new Date().toISOString(), nproc: spawnSync('nproc', [], {encoding: 'utf8'}).stdout.trim(), cpu: lscpuModel(),
      node: process.version, loadavg_start: (await import('node:os')).loadavg().map((x) => +x.toFixed(2)), ready_ms: Math.round(performance.now() - t0),
    }
    const leaders = {dc: await dc.agreedLeader(), etcd: await etcd.agreedLeader()}
    meta.leaders = {dc: leaders.dc.name, etcd: leaders.etcd.name}
    const spread = (sys) => (i, w) => sys.members[w % 3]
    const r = {dc: {}, etcd: {}}

    // At rest: what the three members cost with no requests (it is part of every CPU/op figure,
    // and most of the 1-client ones).
    const idle0 = [cpuMs(dc), cpuMs(etcd)]
    const tIdle = performance.now()
    await sleep(5000)
    const idleSecs = (performance.now() - tIdle) / 1000
    r.dc.idle_cpu_pct_of_core = +((cpuMs(dc) - idle0[0]) / 10 / idleSecs).toFixed(1)
    r.etcd.idle_cpu_pct_of_core = +((cpuMs(etcd) - idle0[1]) / 10 / idleSecs).toFixed(1)

    // Warm-up, not measured: both systems serve long-lived clients, so the figures are of
    // servers in steady state (V8's optimising compiler has compiled dc's hot paths; etcd is
    // compiled ahead of time), with warm connections and SQLite/bbolt pages. Each request
    // kind measured below runs first: writes 10,000 times, each read mode 5,000 times.
    for (const sys of [dc, etcd]) {
      await load(n(10000), 64, (i, w) => sys.put(spread(sys)(i, w), `warm/${i % 1000}`, `v${i}`))
      for (const mode of sys === dc ? ['', 'consistent', 'stale'] : [false, true]) {
        await load(n(5000), 64, (i, w) => sys.get(spread(sys)(i, w), `warm/${i % 1000}`, mode))
      }
    }

    for (const sys of [dc, etcd]) {
      const L = leaders[sys.name]
      r[sys.name].write_1 = await measure(sys, n(1500), 1, (i) => sys.put(sys.members[i % 3], `w1/${i}`, `value-${i}`))
      r[sys.name].write_1_leader = await measure(sys, n(1500), 1, (i) => sys.put(L, `w1l/${i}`, `value-${i}`))
    }
    for (const sys of [dc, etcd]) {
      const L = leaders[sys.name]
      r[sys.name].write_64 = await measure(sys, n(15000), 64, (i, w) => sys.put(spread(sys)(i, w), `w64/${i}`, `value-${i}`))
      r[sys.name].write_64_leader = await measure(sys, n(15000), 64, (i) => sys.put(L, `w64l/${i}`, `value-${i}`))
    }
    const key = (i) => `w64/${i % 1000}`
    r.dc.read_default_64 = await measure(dc, n(20000), 64, (i, w) => dc.get(spread(dc)(i, w), key(i)))
    r.etcd.read_linearizable_64 = await measure(etcd, n(20000), 64, (i, w) => etcd.get(spread(etcd)(i, w), key(i)))
    r.dc.read_consistent_64 = await measure(dc, n(20000), 64, (i, w) => dc.get(spread(dc)(i, w), key(i), 'consistent'))
    r.dc.read_stale_64 = await measure(dc, n(30000), 64, (i, w) => dc.get(spread(dc)(i, w), key(i), 'stale'))
    r.etcd.read_serializable_64 = await measure(etcd, n(30000), 64, (i, w) => etcd.get(spread(etcd)(i, w), key(i), true))

    if (PROFILE) {
      await dc.stop()
      r.dc.failover = `skipped (profiling: leader was ${leaders.dc.name}; profiles in ${PROFILE})`
    } else {
      r.dc.failover = await failover(dc)
    }
    r.etcd.failover = await failover(etcd)
    meta.loadavg_end = (await import('node:os')).loadavg().map((x) => +x.toFixed(2))
    report(meta, r)
  } finally {
    await cleanup()
  }
}

function report(meta, r) {
  const {dc, etcd} = r
  const fmt = (x) => (typeof x === 'object' ? `${x.opsPerSec.toLocaleString('en-US')}/s (p50 ${x.p50}, p99 ${x.p99} ms${x.errors ? `, ${x.errors} errors` : ''}; ${x.cpuUsPerOp} µs CPU/op)` : String(x))
  const ratio = (a, b) => +(a.opsPerSec / b.opsPerSec).toFixed(2)
  const rows = [
    ['writes, 1 client, spread over 3', dc.write_1, etcd.write_1],
    ['writes, 1 client, leader only', dc.write_1_leader, etcd.write_1_leader],
    ['writes, 64 clients, spread over 3', dc.write_64, etcd.write_64],
    ['writes, 64 clients, leader only', dc.write_64_leader, etcd.write_64_leader],
    ['reads, 64: dc default / etcd linearizable', dc.read_default_64, etcd.read_linearizable_64],
    ['reads, 64: dc ?consistent / etcd linearizable', dc.read_consistent_64, etcd.read_linearizable_64],
    ['reads, 64: dc ?stale / etcd serializable', dc.read_stale_64, etcd.read_serializable_64],
  ]
  console.log(`\n${meta.date}  nproc ${meta.nproc}  ${meta.cpu}  node ${meta.node}  loadavg ${meta.loadavg_start.join(' ')} → ${meta.loadavg_end.join(' ')}`)
  console.log('| measure | dc (3 servers) | etcd (3 members) | dc / etcd ops/s | dc / etcd CPU per op |\n|---|---|---|---|---|')
  for (const [label, a, b] of rows) console.log(`| ${label} | ${fmt(a)} | ${fmt(b)} | ${ratio(a, b)} | ${(a.cpuUsPerOp / b.cpuUsPerOp).toFixed(2)} |`)
  const fo = (f) => (typeof f === 'object' ? `new leader ${f.newLeaderMs} ms, first ack ${f.firstAckMs} ms` : f)
  console.log(`| failover: kill -9 leader | ${fo(dc.failover)} | ${fo(etcd.failover)} | ${typeof dc.failover === 'object' ? (dc.failover.firstAckMs / etcd.failover.firstAckMs).toFixed(2) + ' (first ack)' : '—'} | |`)
  console.log(`| CPU of the three at rest (% of one core) | ${dc.idle_cpu_pct_of_core} | ${etcd.idle_cpu_pct_of_core} | | ${(dc.idle_cpu_pct_of_core / etcd.idle_cpu_pct_of_core).toFixed(2)} |`)
  const goals = {
    write_64_spread_ge_1_2x: ratio(dc.write_64, etcd.write_64),
    write_64_leader_ge_1_2x: ratio(dc.write_64_leader, etcd.write_64_leader),
    stale_vs_serializable_ge_2x: ratio(dc.read_stale_64, etcd.read_serializable_64),
  }
  console.log(`goals (issue 9): writes at 64 clients ≥ 1.2× etcd: ${goals.write_64_spread_ge_1_2x} (spread), ${goals.write_64_leader_ge_1_2x} (leader only); stale ≥ 2× serializable: ${goals.stale_vs_serializable_ge_2x}`)
  console.log(JSON.stringify({...meta, ...r, ratio_dc_over_etcd: goals}, null, 2))
}

await main()
