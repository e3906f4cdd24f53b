// KV benchmark (issue 2): write/read throughput and latency, RSS, start-up and CLI cold start.
import {execFileSync} from 'node:child_process'
import {RUN_JS, load, request, rssMb, startAgent} from './lib.mjs'
import {etcdAvailable, startEtcd} from './etcd-peer.mjs'

const results = {}
const a = await startAgent()
results.agent_ready_ms = Math.round(a.readyMs)
await new Promise((r) => setTimeout(r, 500))
results.rss_idle_mb = rssMb(a.pid)

const put = (k, v) => request(a.addr, 'PUT', `/v1/kv/${k}`, v)
results.write_1_client = await load(2000, 1, (i) => put(`w1/${i}`, `value-${i}`))
results.write_64_clients = await load(20000, 64, (i) => put(`w64/${i}`, `value-${i}`))
results.read_default_64 = await load(20000, 64, (i) => request(a.addr, 'GET', `/v1/kv/w64/${i % 1000}`))
results.read_stale_64 = await load(40000, 64, (i) => request(a.addr, 'GET', `/v1/kv/w64/${i % 1000}?stale`))

await load(100000, 64, (i) => put(`load/${i}`, `v${i}`.padEnd(64, 'x')))
results.rss_after_100k_keys_mb = rssMb(a.pid)

// CLI cold start, including Node start-up (best of several runs, mean reported too).
const time = (args, n = 10) => {
  const ts = []
  for (let i = 0; i < n; i++) {
    const s = performance.now()
    execFileSync(process.execPath, [RUN_JS, ...args], {env: {...process.env, CONSUL_HTTP_ADDR: a.addr}, stdio: 'pipe'})
    ts.push(performance.now() - s)
  }
  ts.sort((x, y) => x - y)
  return {median_ms: Math.round(ts[Math.floor(n / 2)]), min_ms: Math.round(ts[0])}
}
results.cli_help = time(['--help'])
results.cli_kv_get = time(['kv', 'get', 'w64/1'])
await a.stop()

const d = await startAgent({dev: true})
results.dev_agent_ready_ms = Math.round(d.readyMs)
await d.stop()

if (etcdAvailable()) {
  const e = await startEtcd()
  const etcd = {}
  etcd.write_1_client = await load(2000, 1, (i) => e.put(`w1/${i}`, `value-${i}`))
  etcd.write_64_clients = await load(20000, 64, (i) => e.put(`w64/${i}`, `value-${i}`))
  etcd.read_linearizable_64 = await load(20000, 64, (i) => e.get(`w64/${i % 1000}`))
  etcd.read_serializable_64 = await load(40000, 64, (i) => e.get(`w64/${i % 1000}`, true))
  await e.stop()
  results.etcd = etcd
  results.ratio_dc_over_etcd = {
    write_1_client: +(results.write_1_client.opsPerSec / etcd.write_1_client.opsPerSec).toFixed(2),
    write_64_clients: +(results.write_64_clients.opsPerSec / etcd.write_64_clients.opsPerSec).toFixed(2),
    read_default_vs_linearizable: +(results.read_default_64.opsPerSec / etcd.read_linearizable_64.opsPerSec).toFixed(2),
    read_stale_vs_serializable: +(results.read_stale_64.opsPerSec / etcd.read_serializable_64.opsPerSec).toFixed(2),
  }
} else {
  results.etcd = 'etcd not installed (apt-get install etcd-server) - no side-by-side figures'
}

console.log(JSON.stringify({bench: 'kv', date: new Date().toISOString(), ...results}, null, 2))

// 10,000 parked blocking queries on one key: agent RSS cost, and time until the last
// one answers after a single write wakes them all.
{
  const http = await import('node:http')
  const b = await startAgent()
  const [host, port] = b.addr.split(':')
  await request(b.addr, 'PUT', '/v1/kv/hot', 'v0')
  const idx = Number((await new Promise((resolve) => http.get({host, port, path: '/v1/kv/hot'}, (res) => { res.resume(); resolve(res.headers['x-consul-index']) }))))
  const rssBefore = rssMb(b.pid)
  const n = 10000
  const agentPool = new http.Agent({keepAlive: false, maxSockets: Infinity})
  let answered = 0
  let parkedAt = 0
  const done = new Promise((resolve) => {
    for (let i = 0; i < n; i++) {
      http.get({host, port, path: `/v1/kv/hot?index=${idx}&wait=5m`, agent: agentPool}, (res) => {
        res.resume()
        res.on('end', () => { if (++answered === n) resolve(performance.now()) })
      }).on('error', () => { if (++answered === n) resolve(performance.now()) })
    }
  })
  // Wait until the agent holds all of them (its RSS stops growing), bounded.
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100))
    const r = rssMb(b.pid)
    if (i > 20 && Math.abs(r - parkedAt) < 0.5) break
    parkedAt = r
  }
  const rssParked = rssMb(b.pid)
  const t0 = performance.now()
  await request(b.addr, 'PUT', '/v1/kv/hot', 'v1')
  const tEnd = await done
  console.log(JSON.stringify({bench: 'kv-blocking', parked_queries: n, rss_before_mb: rssBefore, rss_parked_mb: rssParked, kb_per_parked_query: +(((rssParked - rssBefore) * 1024) / n).toFixed(2), wake_all_ms: Math.round(tEnd - t0)}, null, 2))
  await b.stop()
}
