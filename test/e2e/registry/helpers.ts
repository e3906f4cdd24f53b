import http from 'node:http'
import net from 'node:net'
import type {AddressInfo} from 'node:net'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {RunningAgent} from '../../helpers/agent.js'

export interface Answer {
  status: number
  headers: Headers
  text: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any
}

/** One HTTP call against a running agent (loopback only). */
export async function call(agent: RunningAgent, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${agent.url}${path}`, {method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)})
  const text = await res.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return {status: res.status, headers: res.headers, text, json}
}

/** A loopback HTTP health target whose status code the test flips. */
export async function httpTarget(): Promise<{url: string; set(code: number): void; requests(): number; close(): Promise<void>}> {
  let code = 200
  let requests = 0
  const server = http.createServer((_req, res) => {
    requests++
    res.writeHead(code, {'content-type': 'text/plain'})
    res.end(code === 200 ? 'healthy' : 'unhealthy')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
    set: (c) => void (code = c),
    requests: () => requests,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections()
      server.close(() => r())
    }),
  }
}

/** A loopback TCP listener that can be closed to make a TCP check fail. */
export async function tcpTarget(): Promise<{address: string; close(): Promise<void>}> {
  const server = net.createServer((s) => s.destroy())
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {address: `127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r()))}
}

/** A temporary -config-dir. */
export function configDir(): {dir: string; write(name: string, body: unknown): void; remove(name: string): void; cleanup(): void} {
  const dir = mkdtempSync(join(tmpdir(), 'dc-conf-'))
  return {
    dir,
    write: (name, body) => writeFileSync(join(dir, name), JSON.stringify(body)),
    remove: (name) => rmSync(join(dir, name), {force: true}),
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
}

/** IDs of the instances /v1/health/service/:name returns (with extra query, e.g. "passing"). */
export async function instances(agent: RunningAgent, name: string, query = ''): Promise<string[]> {
  const r = await call(agent, 'GET', `/v1/health/service/${name}${query ? `?${query}` : ''}`)
  if (r.status !== 200) throw new Error(`health/service: ${r.status} ${r.text}`)
  return (r.json as {Service: {ID: string}}[]).map((e) => e.Service.ID)
}

export async function checkStatus(agent: RunningAgent, checkId: string): Promise<string | undefined> {
  const r = await call(agent, 'GET', '/v1/agent/checks')
  return (r.json as Record<string, {Status: string}>)[checkId]?.Status
}
