// Client agent benchmark (issue 8): KV write and read throughput and p50/p99 through a
// client agent against the same calls made straight to its server, 1 and 64 connections,
// in one run (the RPC hop's cost as a ratio); then 1,000 blocking queries parked on one
// client, woken by one write. Real `dc agent` processes over their sockets on 127.0.0.148
// (server) and 127.0.0.149 (client).
import {spawn} from 'node:child_process'
import http from 'node:http'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {RUN_JS, load, request, rssMb} from './lib.mjs'

const SERVER_IP = '127.0.0.148'
const CLIENT_IP = '127.0.0.149'

async function agent(name, ip, extra) {
  const dataDir = mkdtempSync(join(tmpdir(), 'dc-bench-client-'))
  const proc = spawn(process.execPath, [RUN_JS, 'agent', `-data-dir=${dataDir}`, `-node=${name}`, `-bind=${ip}`, `-client=${ip}`, '-http-port=0', '-dns-port=-1', '-serf-lan-port=0', '-serf-wan-port=-1', ...extra], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
  let out = ''
  const addr = await new Promise((resolve, reject) => {
    const on = (d) => {
      out += d
      const m = /HTTP server listening on (\S+)/.exec(out)
      if (m && /Agent started; ready/.test(out)) resolve(m[1])
    }
    proc.stdout.on('data', on)
    proc.stderr.on('data', on)
    proc.on('exit', (c) => reject(new Error(`agent exited ${c}: ${out}`)))
  })
  return {
    addr, pid: proc.pid,
    async stop() {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.on('exit', r))
      rmSync(dataDir, {recursive: true, force: true})
    },
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
async function until(fn, what, ms = 30_000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return
    await sleep(100)
  }
  throw new Error(`timed out waiting for ${what}`)
}

const server = await agent('bench-srv', SERVER_IP, ['-server', '-bootstrap', '-server-port=0'])
const members = JSON.parse((await request(server.addr, 'GET', '/v1/agent/members')).body)
const self = members.find((m) => m.Name === 'bench-srv')
const client = await agent('bench-cli', CLIENT_IP, [`-retry-join=${self.Addr}:${self.Port}`, '-retry-interval=1s'])
await until(async () => (await request(client.addr, 'GET', '/v1/kv/ready')).status === 404, 'the client to reach the server')

const results = {}
const put = (addr, k, v) => request(addr, 'PUT', `/v1/kv/${k}`, v)
const get = (addr, k) => request(addr, 'GET', `/v1/kv/${k}`)
// Server and client alternate per case, so both see the same machine load.
const cases = [
  ['write_1_conn', 1500, 1, (addr, tag) => (i) => put(addr, `${tag}/w1/${i}`, `value-${i}`)],
  ['write_64_conns', 8000, 64, (addr, tag) => (i) => put(addr, `${tag}/w64/${i}`, `value-${i}`)],
  ['read_1_conn', 4000, 1, (addr, tag) => (i) => get(addr, `${tag}/w64/${i % 1000}`)],
  ['read_64_conns', 16000, 64, (addr, tag) => (i) => get(addr, `${tag}/w64/${i % 1000}`)],
]
for (const [name, total, conc, mk] of cases) {
  const direct = await load(total, conc, mk(server.addr, 's'))
  const viaClient = await load(total, conc, mk(client.addr, 'c'))
  results[name] = {direct_to_server: direct, through_client: viaClient, client_over_server_ops: +(viaClient.opsPerSec / direct.opsPerSec).toFixed(2)}
}
console.log(JSON.stringify({bench: 'client-kv', date: new Date().toISOString(), ...results}, null, 2))

// 1,000 blocking queries parked on the client (each an RPC held open to the server), one write.
{
  const n = 1000
  const [host, port] = client.addr.split(':')
  await put(server.addr, 'hot', 'v0')
  const first = await new Promise((resolve) => http.get({host, port, path: '/v1/kv/hot'}, (res) => { res.resume(); resolve(res.headers['x-consul-index']) }))
  const rssBefore = rssMb(client.pid)
  const pool = new http.Agent({keepAlive: false, maxSockets: Infinity})
  let answered = 0
  let woken = 0
  const done = new Promise((resolve) => {
    for (let i = 0; i < n; i++) {
      http.get({host, port, path: `/v1/kv/hot?index=${first}&wait=5m`, agent: pool}, (res) => {
        res.resume()
        res.on('end', () => {
          if (res.statusCode === 200) woken++
          if (++answered === n) resolve(performance.now())
        })
      }).on('error', () => { if (++answered === n) resolve(performance.now()) })
    }
  })
  // Parked once the client's RSS stops growing (bounded), as bench/kv.mjs does.
  let last = 0
  for (let i = 0; i < 100; i++) {
    await sleep(100)
    const r = rssMb(client.pid)
    if (i > 20 && Math.abs(r - last) < 0.5) break
    last = r
  }
  const rssParked = rssMb(client.pid)
  const t0 = performance.now()
  await put(server.addr, 'hot', 'v1')
  const tEnd = await done
  console.log(JSON.stringify({bench: 'client-kv-blocking', parked_queries: n, answered_200: woken, client_rss_before_mb: rssBefore, client_rss_parked_mb: rssParked, write_to_last_answer_ms: Math.round(tEnd - t0)}, null, 2))
}

await client.stop()
await server.stop()
