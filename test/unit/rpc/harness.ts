// Shared by the RPC transport tests: a real server and pool on 127.0.0.1 (ephemeral ports),
// raw sockets for speaking bad protocol, and bounded polling instead of sleeps.
import {encode} from '@msgpack/msgpack'
import * as net from 'node:net'
import {afterEach} from 'vitest'
import {createLogger} from '../../../src/agent/env/node.js'
import {RpcPool} from '../../../src/agent/rpc/client.js'
import {type RpcHandler, type RpcServer, type RpcServerOptions, startRpcServer} from '../../../src/agent/rpc/server.js'

export const log = createLogger({level: 'error', json: false, write: () => {}})

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

export async function server(handler: RpcHandler, o: Partial<RpcServerOptions> = {}): Promise<RpcServer & {addr: string}> {
  const s = await startRpcServer({bindIp: '127.0.0.1', port: 0, log, handler, ...o})
  cleanups.push(() => s.close())
  return Object.assign(s, {addr: `127.0.0.1:${s.port}`})
}

export function pool(o: Partial<ConstructorParameters<typeof RpcPool>[0]> = {}): RpcPool {
  const p = new RpcPool({log, ...o})
  cleanups.push(() => p.close())
  return p
}

/** Polls cond every 5 ms; fails with `what` if it does not hold within timeoutMs. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** A raw TCP connection that records whether the server closed it. */
export async function rawConn(port: number, localAddress?: string): Promise<{sock: net.Socket; closed: Promise<void>; isClosed: () => boolean; received: () => Buffer}> {
  const sock = net.connect({host: '127.0.0.1', port, localAddress})
  let done = false
  const chunks: Buffer[] = []
  sock.on('data', (c: Buffer) => chunks.push(c))
  sock.on('error', () => {})
  const closed = new Promise<void>((r) => sock.once('close', () => {
    done = true
    r()
  }))
  cleanups.push(() => {
    sock.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve)
    sock.once('error', reject)
  })
  return {sock, closed, isClosed: () => done, received: () => Buffer.concat(chunks)}
}

/** A promise with its resolver, for handlers that wait until the test releases them. */
export function deferred<T = void>(): {promise: Promise<T>; resolve: (v: T) => void} {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return {promise, resolve}
}

export const echo: RpcHandler = async (_m, body) => body

/** One frame as a client would send it: uint32 BE length, version byte, msgpack of msg. */
export function frame(msg: unknown, version = 1): Buffer {
  const payload = encode(msg)
  const out = Buffer.alloc(5 + payload.length)
  out.writeUInt32BE(1 + payload.length, 0)
  out[4] = version
  out.set(payload, 5)
  return out
}

/** A well-formed request frame (message kind 0). */
export const request = (seq: number, method: string, body: unknown): Buffer => frame([0, seq, method, body])
