// etcd side-by-side helper (not a benchmark by itself): starts Debian's etcd on loopback
// and drives it through its HTTP/JSON gateway, so bench/kv.mjs can compare in one run.
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {request} from './lib.mjs'

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const {port} = s.address()
    s.close(() => resolve(port))
  })
})

export function etcdAvailable() {
  return spawnSync('etcd', ['--version'], {stdio: 'ignore'}).status === 0
}

export async function startEtcd() {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-bench-'))
  const [client, peer] = [await freePort(), await freePort()]
  const proc = spawn('etcd', [
    '--data-dir', dir, '--name', 'bench',
    '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-cluster', `bench=http://127.0.0.1:${peer}`,
  ], {stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  await new Promise((resolve, reject) => {
    const on = (d) => {
      out += d
      if (/ready to serve client requests/.test(out)) resolve()
    }
    proc.stdout.on('data', on)
    proc.stderr.on('data', on)
    proc.on('exit', (c) => reject(new Error(`etcd exited ${c}: ${out.slice(-2000)}`)))
  })
  const addr = `127.0.0.1:${client}`
  const b64 = (s) => Buffer.from(s).toString('base64')
  return {
    addr,
    put: (k, v) => request(addr, 'POST', '/v3/kv/put', JSON.stringify({key: b64(k), value: b64(v)})),
    get: (k, serializable = false) => request(addr, 'POST', '/v3/kv/range', JSON.stringify({key: b64(k), serializable})),
    async stop() {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.on('exit', r))
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
