#!/usr/bin/env node
// Transport-only RPC benchmark: dc's server RPC listener (src/agent/rpc) and its pool, a trivial
// method over loopback, server and client in two processes. Measures the wire (framing,
// msgpack, multiplexing, sockets), no endpoint and no state store. For reference, the same two
// processes also run node:http keep-alive JSON on the same trivial call, so the figure can
// be read as a ratio taken in the same run. Needs `npm run build` (imports dist/).
import {spawn} from 'node:child_process'
import http from 'node:http'
import {createLogger} from '../dist/agent/env/node.js'
import {RpcPool} from '../dist/agent/rpc/client.js'
import {startRpcServer} from '../dist/agent/rpc/server.js'
import {load} from './lib.mjs'

const log = createLogger({level: 'error', json: false, write: () => {}})
const REPLY = {Index: 42, KnownLeader: true, LastContact: 0, Value: 'pong'}

if (process.argv[2] === '--serve') {
  const s = await startRpcServer({bindIp: '127.0.0.1', port: 0, log, handler: async () => REPLY, maxInFlightPerConn: 1024})
  const h = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(REPLY))
    })
  })
  h.keepAliveTimeout = 60_000
  await new Promise((r) => h.listen(0, '127.0.0.1', r))
  process.stdout.write(JSON.stringify({rpc: s.port, http: h.address().port}) + '\n')
  process.stdin.resume()
  process.stdin.on('end', () => process.exit(0))
} else {
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--serve'], {stdio: ['pipe', 'pipe', 'inherit']})
  const ports = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(JSON.parse(String(d)))))
  const addr = `127.0.0.1:${ports.rpc}`
  const pool = new RpcPool({log, bindIp: '127.0.0.1'})
  const body = {Key: 'bench/key', Datacenter: 'dc1', AllowStale: false}
  const agent = new http.Agent({keepAlive: true, maxSockets: 64})
  const httpCall = () => new Promise((resolve, reject) => {
    const req = http.request({host: '127.0.0.1', port: ports.http, method: 'POST', path: '/rpc', agent, headers: {'content-type': 'application/json'}}, (res) => {
      let s = ''
      res.on('data', (c) => (s += c))
      res.on('end', () => resolve(JSON.parse(s)))
    })
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
  const rpcCall = () => pool.call(addr, 'Status.Ping', body, 5000)

  const rounds = Number(process.env.RPC_BENCH_ROUNDS ?? 3)
  const rows = []
  for (const c of [1, 64]) {
    const total = c === 1 ? 20_000 : 100_000
    await load(2000, c, rpcCall) // warm-up (JIT, connection)
    await load(2000, Math.min(c, 64), httpCall)
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first so drift on a shared machine hits both alike.
      const pair = r % 2 === 0 ? [['rpc', rpcCall], ['http', httpCall]] : [['http', httpCall], ['rpc', rpcCall]]
      const res = {}
      for (const [name, fn] of pair) res[name] = await load(name === 'http' ? Math.round(total / 3) : total, c, fn)
      rows.push({concurrency: c, round: r + 1, ...res})
      console.log(`concurrency ${c} round ${r + 1}: dc rpc ${res.rpc.opsPerSec} calls/s p50 ${res.rpc.p50} ms p99 ${res.rpc.p99} ms | node:http keep-alive ${res.http.opsPerSec} req/s p50 ${res.http.p50} ms p99 ${res.http.p99} ms | rpc/http ${(res.rpc.opsPerSec / res.http.opsPerSec).toFixed(2)}`)
    }
  }
  await pool.close()
  child.stdin.end()
}
