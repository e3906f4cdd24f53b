// The transport between two real processes: a server process (the built dist/, as `dc agent`
// runs it) killed with SIGKILL mid-call. The client must tell "may have run" (closed) from
// "never reached a server" (connect), which is what lets callers retry reads and refuse to
// guess about writes.
import {type ChildProcess, spawn} from 'node:child_process'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {createLogger} from '../../../src/agent/env/node.js'
import {RpcError, RpcPool} from '../../../src/agent/rpc/client.js'
import {ROOT} from '../../helpers/agent.js'

const SERVER = `
import {startRpcServer} from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/agent/rpc/server.js')).href)}
import {createLogger} from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/agent/env/node.js')).href)}
const log = createLogger({level: 'error', json: false, write: () => {}})
const s = await startRpcServer({bindIp: '127.0.0.1', port: 0, log, handler: async (m, body) => {
  if (m === 'Hold') { process.stdout.write('held\\n'); return new Promise(() => {}) }
  return body
}})
process.stdout.write('port ' + s.port + '\\n')
`

const log = createLogger({level: 'error', json: false, write: () => {}})
let child: ChildProcess | undefined
afterEach(() => {
  child?.kill('SIGKILL')
})

function startServerProcess(): Promise<{addr: string; output: () => string}> {
  const c = spawn(process.execPath, ['--input-type=module', '-e', SERVER], {stdio: ['ignore', 'pipe', 'inherit']})
  child = c
  let out = ''
  return new Promise((resolve, reject) => {
    c.stdout!.on('data', (d) => {
      out += d
      const m = /port (\d+)/.exec(out)
      if (m) resolve({addr: `127.0.0.1:${m[1]}`, output: () => out})
    })
    c.once('exit', (code) => reject(new Error(`server process exited ${code}: ${out}`)))
  })
}

describe('rpc between processes', () => {
  it('a server killed mid-call: the call fails as closed (maybe delivered), the next as connect (not delivered)', async () => {
    const {addr, output} = await startServerProcess()
    const pool = new RpcPool({log, bindIp: '127.0.0.1'})
    try {
      expect(await pool.call(addr, 'Echo', {Key: 'k', Value: new Uint8Array([1, 2])}, 5000)).toStrictEqual({Key: 'k', Value: new Uint8Array([1, 2])})
      const held = pool.call(addr, 'Hold', {}, 30_000).then(() => undefined, (e: unknown) => e)
      const deadline = Date.now() + 5000
      while (!output().includes('held')) {
        if (Date.now() > deadline) throw new Error('the server never received Hold')
        await new Promise((r) => setTimeout(r, 5))
      }
      const exited = new Promise((r) => child!.once('exit', r))
      child!.kill('SIGKILL')
      await exited
      const e = await held
      expect(e).toBeInstanceOf(RpcError)
      expect(e).toMatchObject({kind: 'closed', maybeDelivered: true})
      const next = await pool.call(addr, 'Echo', 1, 5000).then(() => undefined, (err: unknown) => err)
      expect(next).toMatchObject({kind: 'connect', maybeDelivered: false})
    } finally {
      await pool.close()
    }
  })
})
