// DNS side-by-side helpers (not a benchmark by itself): nsd serving a zone with the same answer
// as the agent, a Node UDP server that answers every query with one fixed packet (the floor:
// what Node's UDP path allows with no DNS work at all), and a dnsperf runner.
import {execFile, spawn, spawnSync} from 'node:child_process'
import dgram from 'node:dgram'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const hasTool = (cmd, args) => !spawnSync(cmd, args, {stdio: 'ignore'}).error

/** A UDP port that was free a moment ago (nsd takes a fixed port in its config). */
export function freeUdpPort() {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4')
    s.bind(0, '127.0.0.1', () => {
      const {port} = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** Sends `query` until something answers on `port` (bounded), so a peer counts as ready only when it serves. */
export async function waitForDns(port, query, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  const sock = dgram.createSocket('udp4')
  try {
    for (;;) {
      const got = await new Promise((resolve) => {
        const t = setTimeout(() => resolve(undefined), 200)
        sock.once('message', (m) => { clearTimeout(t); resolve(m) })
        sock.send(query, port, '127.0.0.1')
      })
      if (got) return got
      if (Date.now() > deadline) throw new Error(`no DNS answer on 127.0.0.1:${port} within ${timeoutMs} ms`)
    }
  } finally {
    sock.close()
  }
}

/** nsd 4 in the foreground on 127.0.0.1:<free port>, authoritative for `zone` with `records` (zone-file lines). */
export async function startNsd(zone, records, query) {
  const dir = mkdtempSync(join(tmpdir(), 'nsd-bench-'))
  const port = await freeUdpPort()
  writeFileSync(join(dir, 'zone'), [
    `$ORIGIN ${zone}.`,
    `@ 0 IN SOA ns.${zone}. hostmaster.${zone}. 1 3600 600 86400 0`,
    `@ 0 IN NS ns.${zone}.`,
    `ns 0 IN A 127.0.0.1`,
    ...records,
  ].join('\n') + '\n')
  writeFileSync(join(dir, 'nsd.conf'), [
    'server:',
    `  ip-address: 127.0.0.1@${port}`,
    '  server-count: 1',
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: "${dir}"`,
    `  pidfile: "${join(dir, 'nsd.pid')}"`,
    `  zonelistfile: "${join(dir, 'zone.list')}"`,
    `  xfrdfile: "${join(dir, 'xfrd.state')}"`,
    `  xfrdir: "${dir}"`,
    '  database: ""',
    '  verbosity: 0',
    '  hide-version: yes',
    '  minimal-responses: yes',
    // Response rate limiting (on by default in Debian's build) would drop a benchmark's queries.
    '  rrl-ratelimit: 0',
    'remote-control:',
    '  control-enable: no',
    'zone:',
    `  name: "${zone}"`,
    `  zonefile: "${join(dir, 'zone')}"`,
  ].join('\n') + '\n')
  const proc = spawn('nsd', ['-d', '-c', join(dir, 'nsd.conf')], {stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  proc.stdout.on('data', (d) => { out += d })
  proc.stderr.on('data', (d) => { out += d })
  try {
    await waitForDns(port, query)
  } catch (e) {
    proc.kill('SIGTERM')
    throw new Error(`${e.message}\n${out}`)
  }
  return {
    port, pid: proc.pid,
    async stop() {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.exitCode !== null ? r() : proc.on('exit', r))
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

/** The Node floor (bench/dns-floor-server.mjs) in its own process, answering with `answer` (query id copied in). */
export async function startFloor(answer, query) {
  const script = fileURLToPath(new URL('./dns-floor-server.mjs', import.meta.url))
  const proc = spawn(process.execPath, [script, answer.toString('base64')], {stdio: ['ignore', 'pipe', 'inherit']})
  const port = await new Promise((resolve, reject) => {
    proc.stdout.once('data', (d) => resolve(Number(String(d).trim())))
    proc.on('exit', (c) => reject(new Error(`floor server exited ${c}`)))
  })
  await waitForDns(port, query)
  return {
    port, pid: proc.pid,
    async stop() {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.exitCode !== null ? r() : proc.on('exit', r))
    },
  }
}

/** dnsperf over UDP for `seconds`; returns queries/s, average latency (ms) and lost queries. */
export function dnsperf(port, datafile, {seconds, clients, outstanding}) {
  const args = ['-s', '127.0.0.1', '-p', String(port), '-d', datafile, '-l', String(seconds), '-c', String(clients), '-q', String(outstanding)]
  return new Promise((resolve, reject) => {
    execFile('dnsperf', args, {timeout: (seconds + 30) * 1000}, (err, stdout) => {
      if (err && !stdout) return reject(err)
      const num = (re) => Number(re.exec(stdout)?.[1] ?? NaN)
      resolve({
        qps: num(/Queries per second:\s+([\d.]+)/),
        avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
        lost: num(/Queries lost:\s+(\d+)/),
      })
    })
  })
}
