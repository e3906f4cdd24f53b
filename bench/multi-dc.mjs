// Several datacenters (issue 10): cross-datacenter reads against local reads (same run),
// prepared-query failover time, and KV prefix replication lag under ~1,000 writes/s.
// Two servers, one per datacenter: dc1 on 127.0.0.181, dc2 on 127.0.0.184 (default ports,
// HTTP 8500), federated over the WAN pool; dc2's leader replicates bench-config/ from dc1.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {RUN_JS, load, request} from './lib.mjs'

const PREFIX = 'bench-config/'

async function server(ip, node, datacenter, extra = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'dc-bench-mdc-'))
  const args = [RUN_JS, 'agent', '-server', '-bootstrap', `-data-dir=${dataDir}`, `-node=${node}`, `-datacenter=${datacenter}`,
    `-bind=${ip}`, `-client=${ip}`, '-http-port=8500', '-dns-port=-1', '-retry-interval-wan=1s', ...extra]
  const proc = spawn(process.execPath, args, {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
  // Never leave an agent behind, whatever happens to this script.
  process.on('exit', () => proc.kill('SIGKILL'))
  let out = ''
  await new Promise((resolve, reject) => {
    const on = (d) => {
      out += d
      if (/Agent started; ready/.test(out)) resolve()
    }
    proc.stdout.on('data', on)
    proc.stderr.on('data', on)
    proc.on('exit', (c) => reject(new Error(`agent exited ${c}: ${out}`)))
  })
  return {
    addr: `${ip}:8500`,
    output: () => out,
    async stop() {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.on('exit', r))
      rmSync(dataDir, {recursive: true, force: true})
    },
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
async function until(fn, timeoutMs = 60_000, everyMs = 50) {
  const end = performance.now() + timeoutMs
  for (;;) {
    const v = await fn().catch(() => undefined)
    if (v) return v
    if (performance.now() > end) throw new Error('timed out')
    await sleep(everyMs)
  }
}
const json = async (addr, method, path, body) => {
  const r = await request(addr, method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body))
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.body}`)
  return r.body.length ? JSON.parse(r.body.toString()) : null
}
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? +s[Math.min(s.length - 1, Math.floor(s.length * p))].toFixed(1) : NaN
}

const cfgDir = mkdtempSync(join(tmpdir(), 'dc-bench-mdc-cfg-'))
writeFileSync(join(cfgDir, 'replication.json'), JSON.stringify({replication: {kv_prefixes: [PREFIX], source_datacenter: 'dc1'}}))
const dc1 = await server('127.0.0.181', 'bench-one', 'dc1')
const dc2 = await server('127.0.0.184', 'bench-two', 'dc2', ['-retry-join-wan=127.0.0.181:8302', '-config-dir', cfgDir])
const results = {}
const step = (m) => process.stderr.write(`multi-dc: ${m}\n`)
try {
  await until(async () => (await json(dc1.addr, 'GET', '/v1/catalog/datacenters')).includes('dc2'))

  step('WAN federated; reads')
  // 1. Reads: the same key read locally and in dc2 through the dc1 agent, rounds interleaved.
  for (let i = 0; i < 100; i++) {
    await json(dc1.addr, 'PUT', `/v1/kv/bench/k${i}`, `local-${i}`)
    await json(dc1.addr, 'PUT', `/v1/kv/bench/k${i}?dc=dc2`, `remote-${i}`)
  }
  const rounds = {local: [], cross_dc: []}
  for (let r = 0; r < 3; r++) {
    rounds.local.push(await load(5000, 16, (i) => request(dc1.addr, 'GET', `/v1/kv/bench/k${i % 100}`)))
    rounds.cross_dc.push(await load(5000, 16, (i) => request(dc1.addr, 'GET', `/v1/kv/bench/k${i % 100}?dc=dc2`)))
  }
  const best = (xs) => xs.reduce((a, b) => (b.opsPerSec > a.opsPerSec ? b : a))
  const local = best(rounds.local)
  const cross = best(rounds.cross_dc)
  results.reads_16_clients = {
    local, cross_dc: cross,
    all_rounds_ops_per_sec: {local: rounds.local.map((x) => x.opsPerSec), cross_dc: rounds.cross_dc.map((x) => x.opsPerSec)},
    ratio_throughput_cross_over_local: +(cross.opsPerSec / local.opsPerSec).toFixed(2),
    ratio_p50_latency_cross_over_local: +(cross.p50 / local.p50).toFixed(2),
  }
  const single = {local: await load(2000, 1, (i) => request(dc1.addr, 'GET', `/v1/kv/bench/k${i % 100}`)), cross_dc: await load(2000, 1, (i) => request(dc1.addr, 'GET', `/v1/kv/bench/k${i % 100}?dc=dc2`))}
  results.reads_1_client = {...single, ratio_p50_latency_cross_over_local: +(single.cross_dc.p50 / single.local.p50).toFixed(2)}

  step('prepared-query failover')
  // 2. Prepared-query failover: dc1's only web instance's TTL check goes critical.
  await json(dc1.addr, 'PUT', '/v1/agent/service/register', {Name: 'web', ID: 'web-1', Port: 8080, Check: {CheckID: 'web-ttl', TTL: '10m'}})
  await json(dc2.addr, 'PUT', '/v1/agent/service/register', {Name: 'web', ID: 'web-2', Port: 8080, Check: {CheckID: 'web-ttl', TTL: '10m'}})
  await json(dc2.addr, 'PUT', '/v1/agent/check/pass/web-ttl')
  await json(dc1.addr, 'POST', '/v1/query', {Name: 'web-q', Service: {Service: 'web', OnlyPassing: true, Failover: {Datacenters: ['dc2']}}})
  const answeredBy = async () => (await json(dc1.addr, 'GET', '/v1/query/web-q/execute')).Datacenter
  const failovers = []
  const failbacks = []
  for (let i = 0; i < 7; i++) {
    await json(dc1.addr, 'PUT', '/v1/agent/check/pass/web-ttl')
    let t0 = performance.now()
    await until(async () => (await answeredBy()) === 'dc1', 30_000, 2)
    if (i > 0) failbacks.push(performance.now() - t0)
    t0 = performance.now()
    await json(dc1.addr, 'PUT', '/v1/agent/check/fail/web-ttl')
    await until(async () => (await answeredBy()) === 'dc2', 30_000, 2)
    failovers.push(performance.now() - t0)
  }
  results.prepared_query_failover_ms = {runs: failovers.length, p50: pct(failovers, 0.5), max: pct(failovers, 1), all: failovers.map((x) => +x.toFixed(1)),
    note: 'from the PUT that sets the TTL check critical until /v1/query/web-q/execute (polled every ~2 ms) answers Datacenter dc2'}
  results.prepared_query_failback_ms = {p50: pct(failbacks, 0.5), max: pct(failbacks, 1)}

  step('replication lag under writes')
  // 3. Replication lag of a prefix under ~1,000 writes/s in dc1, seen by a blocking watcher in dc2.
  await until(async () => (await json(dc2.addr, 'GET', '/v1/replication/status')).Running)
  const KEYS = 100
  const sent = new Map() // seq -> send time
  const ackedAt = new Map() // seq -> time dc1 acknowledged the write
  const lags = []
  const lagsFromAck = []
  const writeLat = []
  const seenSeq = new Map()
  let watching = true
  const watcher = (async () => {
    let index = 0
    while (watching) {
      const r = await request(dc2.addr, 'GET', `/v1/kv/${PREFIX}?recurse&index=${index}&wait=2s`).catch(() => ({status: 0}))
      const now = performance.now()
      index = Number(r.headers?.['x-consul-index'] ?? index)
      if (r.status !== 200) { await sleep(10); continue }
      for (const e of JSON.parse(r.body.toString())) {
        const seq = Number(Buffer.from(e.Value, 'base64').toString())
        if ((seenSeq.get(e.Key) ?? -1) >= seq) continue
        seenSeq.set(e.Key, seq)
        const t = sent.get(seq)
        if (t !== undefined) lags.push(now - t)
        const a = ackedAt.get(seq)
        if (a !== undefined) lagsFromAck.push(Math.max(0, now - a))
      }
    }
  })()
  const RATE = 1000
  const SECONDS = 10
  let seq = 0
  let acked = 0
  let failed = 0
  const inflight = new Set()
  const t0 = performance.now()
  const statusSamples = []
  while (performance.now() - t0 < SECONDS * 1000) {
    // Open loop: keep up with the schedule, whatever the latency of each write.
    const due = Math.floor(((performance.now() - t0) / 1000) * RATE)
    while (seq < due) {
      const s = seq++
      sent.set(s, performance.now())
      const p = request(dc1.addr, 'PUT', `/v1/kv/${PREFIX}k${s % KEYS}`, String(s)).then((r) => {
        if (r.status !== 200) return void failed++
        acked++
        const t = performance.now()
        ackedAt.set(s, t)
        writeLat.push(t - sent.get(s))
      }, () => failed++).finally(() => inflight.delete(p))
      inflight.add(p)
    }
    if (seq % 500 < 10) {
      const st = await json(dc2.addr, 'GET', '/v1/replication/status').catch(() => undefined)
      if (st) statusSamples.push(st.Prefixes[0].LagIndex)
    }
    await sleep(5)
  }
  await Promise.all(inflight)
  const writeSecs = (performance.now() - t0) / 1000
  // Caught up: dc2's copy equals dc1's final contents (what was applied there, in its order).
  const snapshot = async (addr) => (await request(addr, 'GET', `/v1/kv/${PREFIX}?recurse&stale`)).body.toString()
  const target = JSON.stringify(JSON.parse(await snapshot(dc1.addr)).map((e) => [e.Key, e.Value]))
  const tCatch = performance.now()
  await until(async () => JSON.stringify(JSON.parse(await snapshot(dc2.addr)).map((e) => [e.Key, e.Value])) === target, 60_000, 10)
  const catchUpMs = performance.now() - tCatch
  watching = false
  await watcher
  results.replication_lag = {
    writes_per_sec_offered: RATE, writes_per_sec_acked: Math.round(acked / writeSecs), writes: seq, failed_writes: failed, keys: KEYS,
    write_latency_ms: {p50: pct(writeLat, 0.5), p99: pct(writeLat, 0.99)},
    lag_from_ack_ms: {samples: lagsFromAck.length, p50: pct(lagsFromAck, 0.5), p90: pct(lagsFromAck, 0.9), p99: pct(lagsFromAck, 0.99), max: pct(lagsFromAck, 1)},
    lag_from_send_ms: {samples: lags.length, p50: pct(lags, 0.5), p90: pct(lags, 0.9), p99: pct(lags, 0.99), max: pct(lags, 1)},
    catch_up_after_last_write_ms: +catchUpMs.toFixed(1),
    status_lag_index_samples: statusSamples,
    note: 'lag_from_ack = from dc1 acknowledging a PUT to a blocking list in dc2 returning that value (one process clock; 0 when dc2 showed it before the ack reached the client); lag_from_send adds the write latency in dc1; values overwritten before a round reached dc2 are not sampled',
  }
  const st = await json(dc2.addr, 'GET', '/v1/replication/status')
  results.replication_status_after = st.Prefixes[0]
} finally {
  await dc2.stop()
  await dc1.stop()
  rmSync(cfgDir, {recursive: true, force: true})
}
console.log(JSON.stringify({bench: 'multi-dc', date: new Date().toISOString(), ...results}, null, 2))
