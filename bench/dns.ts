/**
 * DNS benchmark: pure answer-building timings, then dnsperf against the real
 * server on 127.0.0.1 with in-memory catalogs of 10 / 1,000 / 5,000 instances.
 *
 *   npx tsx bench/dns.ts            # all
 *   DNS_BENCH_SECONDS=10 npx tsx bench/dns.ts
 *
 * Prints figures only; nothing is asserted.
 */
import {execFile, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import dgram from 'node:dgram'
import net from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {resolveQuestion} from '../src/agent/dns/answer.js'
import {parseDnsConfig} from '../src/agent/dns/config.js'
import {QType} from '../src/agent/dns/protocol.js'
import {renderResolution, type RenderRequest} from '../src/agent/dns/render.js'
import {startDnsServer} from '../src/agent/dns/server.js'
import {createLogger} from '../src/agent/env/node.js'
import {seededRandom} from '../src/agent/env/prng.js'
import {populated} from '../test/unit/dns/fake-catalog.js'
import {queryPacket} from '../test/unit/dns/helpers.js'

const SECONDS = Number(process.env.DNS_BENCH_SECONDS ?? 4)
const SIZES = [10, 1000, 5000]

function quantiles(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b)
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(3)
  return `median ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${s[s.length - 1].toFixed(3)} ms`
}

function pureTimings(): void {
  console.log('## Pure answer building (resolve = per catalog change, render = per query)')
  const cfg = parseDnsConfig({})
  const random = seededRandom(1)
  for (const n of SIZES) {
    const catalog = populated(n)
    for (const [label, qtype, network] of [['A', QType.A, 'udp'], ['SRV', QType.SRV, 'udp'], ['SRV', QType.SRV, 'tcp']] as const) {
      const req: RenderRequest = {
        id: 1, opcode: 0, rd: true, cd: false, question: {name: 'web.service.consul', type: qtype, class: 1},
        edns: {udpSize: 4096}, network,
      }
      const cold: number[] = []
      const hot: number[] = []
      let answers = 0
      for (let i = 0; i < 60; i++) {
        const t0 = performance.now()
        const res = resolveQuestion({name: 'web.service.consul', qtype}, catalog, cfg)
        const t1 = performance.now()
        const bytes = renderResolution(res, req, {cfg, randomInt: random.int, wallMs: Date.now()})
        const t2 = performance.now()
        cold.push(t2 - t0)
        hot.push(t2 - t1)
        answers = bytes.readUInt16BE(6)
      }
      console.log(`${String(n).padStart(5)} instances ${label.padEnd(3)} ${network} (${answers} answers): resolve+render ${quantiles(cold.slice(10))}; render only ${quantiles(hot.slice(10))}`)
    }
  }
}

interface PerfResult {
  qps: number
  avgLatencyMs: number
  lost: number
}

function dnsperf(port: number, datafile: string, mode: 'udp' | 'tcp', edns: boolean): Promise<PerfResult> {
  const args = ['-s', '127.0.0.1', '-p', String(port), '-d', datafile, '-l', String(SECONDS), '-c', '8', '-q', '200', '-m', mode]
  if (edns) args.push('-e')
  return new Promise((resolve, reject) => {
    execFile('dnsperf', args, {timeout: (SECONDS + 30) * 1000}, (err, stdout) => {
      if (err && !stdout) return reject(err)
      const num = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? NaN)
      resolve({
        qps: num(/Queries per second:\s+([\d.]+)/),
        avgLatencyMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
        lost: num(/Queries lost:\s+(\d+)/),
      })
    })
  })
}

/**
 * dnsperf cannot read TCP answers much over 16 KiB, so large TCP answers are
 * measured with a small client: `clients` connections, one query in flight each.
 */
async function tcpLoad(port: number, query: Buffer, clients: number): Promise<PerfResult & {bytes: number}> {
  const frame = Buffer.concat([Buffer.from([query.length >> 8, query.length & 255]), query])
  const latencies: number[] = []
  let bytes = 0
  const deadline = performance.now() + SECONDS * 1000
  await Promise.all(Array.from({length: clients}, () => new Promise<void>((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1')
    let buf = Buffer.alloc(0)
    let sentAt = 0
    const send = () => {
      if (performance.now() > deadline) {
        sock.destroy()
        resolve()
        return
      }
      sentAt = performance.now()
      sock.write(frame)
    }
    sock.on('connect', send)
    sock.on('error', reject)
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d])
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        bytes = buf.readUInt16BE(0)
        buf = buf.subarray(2 + bytes)
        latencies.push(performance.now() - sentAt)
        send()
      }
    })
  })))
  const avg = latencies.reduce((a, b) => a + b, 0) / latencies.length
  return {qps: latencies.length / SECONDS, avgLatencyMs: avg, lost: 0, bytes}
}

/**
 * Latency percentiles over UDP (dnsperf only reports the average): `clients` sockets,
 * each with one query outstanding, for SECONDS. The query id tags each request.
 */
async function udpLatency(port: number, query: Buffer, clients: number): Promise<{qps: number; p50: number; p99: number}> {
  const latencies: number[] = []
  const deadline = performance.now() + SECONDS * 1000
  await Promise.all(Array.from({length: clients}, (_, c) => new Promise<void>((resolve) => {
    const sock = dgram.createSocket('udp4')
    const q = Buffer.from(query)
    let sentAt = 0
    let id = c * 1000
    const send = () => {
      if (performance.now() > deadline) {
        sock.close()
        resolve()
        return
      }
      id = (id + 1) & 0xffff
      q.writeUInt16BE(id, 0)
      sentAt = performance.now()
      sock.send(q, port, '127.0.0.1')
    }
    sock.on('message', (m) => {
      if (m.readUInt16BE(0) !== id) return
      latencies.push(performance.now() - sentAt)
      send()
    })
    send()
  })))
  latencies.sort((a, b) => a - b)
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]
  return {qps: latencies.length / SECONDS, p50: pct(0.5), p99: pct(0.99)}
}

async function serverThroughput(): Promise<void> {
  if (spawnSync('dnsperf', ['-h']).error) {
    console.log('\n(dnsperf not installed: skipping the server benchmark)')
    return
  }
  console.log(`\n## dnsperf against the server (${SECONDS}s per run, 8 clients, up to 200 outstanding)`)
  const dir = mkdtempSync(join(tmpdir(), 'dc-dns-bench-'))
  const aFile = join(dir, 'a.txt')
  const srvFile = join(dir, 'srv.txt')
  writeFileSync(aFile, 'web.service.consul A\n')
  writeFileSync(srvFile, 'web.service.consul SRV\n')
  const log = createLogger({level: 'error', json: false, write: () => {}})
  const srvQuery = queryPacket('web.service.consul', 'SRV')
  try {
    for (const n of SIZES) {
      const server = await startDnsServer({
        host: '127.0.0.1', port: 0, config: parseDnsConfig({}), catalog: populated(n), random: seededRandom(n), log,
      })
      try {
        for (const [label, file, mode, edns] of [
          ['A    udp', aFile, 'udp', false], ['SRV  udp+edns', srvFile, 'udp', true], ['SRV  tcp', srvFile, 'tcp', false],
        ] as const) {
          if (mode === 'tcp' && n > 100) {
            const r = await tcpLoad(server.port, srvQuery, 4)
            console.log(`${String(n).padStart(5)} instances ${label.padEnd(14)} ${r.qps.toFixed(0).padStart(7)} q/s, avg latency ${r.avgLatencyMs.toFixed(3)} ms (node client, 4 connections, ${r.bytes}-byte answers)`)
            continue
          }
          const r = await dnsperf(server.port, file, mode, edns)
          console.log(`${String(n).padStart(5)} instances ${label.padEnd(14)} ${r.qps.toFixed(0).padStart(7)} q/s, avg latency ${r.avgLatencyMs.toFixed(3)} ms, lost ${r.lost}`)
        }
        for (const [label, type] of [['A', 'A'], ['SRV', 'SRV']] as const) {
          const r = await udpLatency(server.port, queryPacket('web.service.consul', type), 8)
          console.log(`${String(n).padStart(5)} instances ${(label + ' udp p99').padEnd(14)} ${r.qps.toFixed(0).padStart(7)} q/s, p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms (node client, 8 sockets, 1 outstanding each)`)
        }
      } finally {
        await server.close()
      }
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

pureTimings()
await serverThroughput()
