import {spawn} from 'node:child_process'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type {HttpProbeRequest, HttpProbeResponse, Probers} from './types.js'

/**
 * The real probers over Node's sockets and processes. Every probe settles: it
 * resolves, rejects with a Go-like message (what Consul shows as check output), or
 * rejects when its signal aborts, and it closes whatever it opened.
 */
export function createNodeProbers(): Probers {
  return {http: httpProbe, tcp: tcpProbe, script: scriptProbe}
}

const MAX_REDIRECTS = 10

/** Go's net errors, as Consul's check output shows them. */
function describe(err: NodeJS.ErrnoException, address: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${address}: connect: connection refused`
    case 'ECONNRESET':
      return `read tcp ${address}: read: connection reset by peer`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${address.replace(/:\d+$/, '')}: no such host`
    case 'EHOSTUNREACH':
      return `dial tcp ${address}: connect: no route to host`
    case 'ETIMEDOUT':
      return `dial tcp ${address}: i/o timeout`
    default:
      return err.message
  }
}

function hostPort(u: URL): string {
  const port = u.port || (u.protocol === 'https:' ? '443' : '80')
  return `${u.hostname}:${port}`
}

async function httpProbe(req: HttpProbeRequest, signal: AbortSignal): Promise<HttpProbeResponse> {
  let url = new URL(req.url)
  let method = req.method
  let body: string | undefined = req.body || undefined
  for (let hops = 0; ; hops++) {
    const res = await httpOnce(url, method, body, req, signal)
    const location = res.location
    if (req.followRedirects && location && [301, 302, 303, 307, 308].includes(res.statusCode)) {
      if (hops >= MAX_REDIRECTS) throw new Error('stopped after 10 redirects')
      url = new URL(location, url)
      if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method !== 'GET' && method !== 'HEAD')) {
        method = 'GET'
        body = undefined
      }
      continue
    }
    return {statusCode: res.statusCode, status: res.status, body: res.body}
  }
}

function httpOnce(
  url: URL,
  method: string,
  body: string | undefined,
  req: HttpProbeRequest,
  signal: AbortSignal,
): Promise<HttpProbeResponse & {location?: string}> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('request aborted'))
    const headers: Record<string, string | string[]> = {}
    for (const [k, v] of Object.entries(req.headers)) headers[k] = v.length === 1 ? v[0] : v
    const lib = url.protocol === 'https:' ? https : http
    const r = lib.request(url, {
      method,
      headers,
      agent: false,
      rejectUnauthorized: !req.tlsSkipVerify,
      servername: req.tlsServerName || undefined,
      signal,
    })
    r.on('error', (err: NodeJS.ErrnoException) => reject(new Error(err.name === 'AbortError' ? 'request aborted' : describe(err, hostPort(url)))))
    r.on('response', (res) => {
      const chunks: Buffer[] = []
      let size = 0
      let done = false
      const finish = () => {
        if (done) return
        done = true
        const text = Buffer.concat(chunks).subarray(0, req.maxBytes).toString('utf8')
        resolve({
          statusCode: res.statusCode ?? 0,
          status: `${res.statusCode} ${res.statusMessage ?? ''}`.trim(),
          body: text,
          location: typeof res.headers.location === 'string' ? res.headers.location : undefined,
        })
        res.destroy()
      }
      res.on('data', (c: Buffer) => {
        chunks.push(c)
        size += c.length
        if (size >= req.maxBytes) finish()
      })
      res.on('end', finish)
      res.on('error', (err) => (done ? undefined : reject(err)))
      res.on('close', finish)
    })
    r.end(body)
  })
}

export function splitHostPort(address: string): {host: string; port: number} {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address)
  if (!m) throw new Error(`address ${address}: missing port in address`)
  return {host: m[1], port: Number(m[2])}
}

function tcpProbe(address: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const {host, port} = splitHostPort(address)
    const sock = net.connect({host, port})
    let done = false
    const finish = (err?: Error) => {
      if (done) return
      done = true
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      sock.destroy()
      if (err) reject(err)
      else resolve()
    }
    const onAbort = () => finish(new Error('i/o timeout'))
    const timer = setTimeout(() => finish(new Error('i/o timeout')), timeoutMs)
    signal.addEventListener('abort', onAbort)
    sock.once('connect', () => finish())
    sock.once('error', (err: NodeJS.ErrnoException) => finish(new Error(describe(err, address).replace(`dial tcp ${address}: `, ''))))
  })
}

function scriptProbe(args: string[], timeoutMs: number, maxBytes: number, signal: AbortSignal): Promise<{exitCode: number; output: string; timedOut: boolean}> {
  return new Promise((resolve, reject) => {
    // Own process group, so a timeout kills the whole tree the script started.
    const child = spawn(args[0], args.slice(1), {stdio: ['ignore', 'pipe', 'pipe'], detached: true})
    const chunks: Buffer[] = []
    let size = 0
    let total = 0
    let timedOut = false
    const collect = (c: Buffer) => {
      total += c.length
      if (size >= maxBytes) return
      const part = c.subarray(0, maxBytes - size)
      chunks.push(part)
      size += part.length
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
    }
    const timer = setTimeout(() => {
      timedOut = true
      kill()
    }, timeoutMs)
    const onAbort = () => kill()
    signal.addEventListener('abort', onAbort)
    child.on('error', (err) => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      reject(new Error(`Check failed to invoke: ${err.message}`))
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      let output = Buffer.concat(chunks).toString('utf8')
      if (total > maxBytes) output += `\n... (captured ${maxBytes} of ${total} bytes)`
      resolve({exitCode: code ?? -1, output, timedOut})
    })
  })
}
