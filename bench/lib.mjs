// Shared helpers for benchmarks: start an agent, drive load over keep-alive HTTP,
// and report percentiles. Benchmarks print figures; nothing here asserts.
import {spawn} from 'node:child_process'
import * as fs from 'node:fs'
import {mkdtempSync, rmSync} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const RUN_JS = join(ROOT, 'bin', 'run.js')

/**
 * `dns: true` serves DNS on an ephemeral loopback port (dnsPort); `nodeArgs` go to node itself
 * (e.g. --cpu-prof); `runJs` runs another build's bin/run.js (a baseline to compare with).
 */
export async function startAgent({args = [], dev = false, dns = false, nodeArgs = [], runJs = RUN_JS} = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'dc-bench-'))
  const base = dev ? ['agent', '-dev'] : ['agent', '-server', '-bootstrap', `-data-dir=${dataDir}`]
  const t0 = performance.now()
  const proc = spawn(process.execPath, [...nodeArgs, runJs, ...base, '-node=bench', '-client=127.0.0.1', '-bind=127.0.0.1', '-http-port=0', `-dns-port=${dns ? 0 : -1}`, '-serf-lan-port=-1', '-serf-wan-port=-1', '-server-port=-1', ...args], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
  let out = ''
  let dnsPort = -1
  const addr = await new Promise((resolve, reject) => {
    const on = (d) => {
      out += d
      const m = /HTTP server listening on (\S+)/.exec(out)
      const d53 = /DNS server listening on \S+:(\d+)/.exec(out)
      if (d53) dnsPort = Number(d53[1])
      if (m && /Agent started; ready/.test(out) && (!dns || d53)) resolve(m[1])
    }
    proc.stdout.on('data', on)
    proc.stderr.on('data', on)
    proc.on('exit', (c) => reject(new Error(`agent exited ${c}: ${out}`)))
  })
  const readyMs = performance.now() - t0
  return {
    addr, pid: proc.pid, readyMs, dnsPort,
    async stop() {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.on('exit', r))
      rmSync(dataDir, {recursive: true, force: true})
    },
  }
}

const agent = new http.Agent({keepAlive: true, maxSockets: 256})

export function request(addr, method, path, body) {
  const [host, port] = addr.split(':')
  return new Promise((resolve, reject) => {
    const req = http.request({host, port: Number(port), method, path, agent}, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks)}))
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Runs `fn(i)` with `concurrency` workers until `total` calls are done; returns ops/s and latency percentiles. */
export async function load(total, concurrency, fn) {
  const lat = new Float64Array(total)
  let next = 0
  const t0 = performance.now()
  await Promise.all(Array.from({length: concurrency}, async () => {
    for (let i = next++; i < total; i = next++) {
      const s = performance.now()
      await fn(i)
      lat[i] = performance.now() - s
    }
  }))
  const secs = (performance.now() - t0) / 1000
  lat.sort()
  const pct = (p) => lat[Math.min(total - 1, Math.floor(total * p))]
  return {opsPerSec: Math.round(total / secs), p50: +pct(0.5).toFixed(3), p99: +pct(0.99).toFixed(3)}
}

export function rssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const m = /VmRSS:\s+(\d+) kB/.exec(status)
    return m ? +(Number(m[1]) / 1024).toFixed(1) : NaN
  } catch {
    return NaN
  }
}
