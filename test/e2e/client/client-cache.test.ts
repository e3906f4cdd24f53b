/**
 * Client agents over a server's life: started before it, through its kill -9 and its
 * return on the same address. The agent cache (?cached, dns_config.use_cache) keeps
 * answering while the server is gone, with an Age; user events go through the server;
 * a node ID taken by another member is refused; limits.rpc_rate answers 429.
 * Real `dc agent` processes on 127.0.0.141–146 (fixed ports only for the server, which
 * must come back where the clients knew it).
 */
import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {requireTool} from '../../helpers/tools.js'
import {assertBuilt} from '../cli/run-cli.js'
import {FAILED, dc, gossipAddr, waitStatus} from '../gossip/helpers.js'

const noDig = requireTool('dig')
const SERVER_IP = '127.0.0.141'
const SERF_PORT = 28_341
const RPC_PORT = 28_340
const SERVER = `${SERVER_IP}:${SERF_PORT}`
const agents: RunningAgent[] = []
const dirs: string[] = []
let server: RunningAgent | undefined
let serverDir: string
let cached: RunningAgent
let plain: RunningAgent

async function http(a: RunningAgent, path: string, init?: RequestInit) {
  const r = await fetch(`${a.url}${path}`, init)
  return {status: r.status, body: await r.text(), headers: r.headers}
}

function digA(a: RunningAgent, ip: string, name: string): Promise<{status: string; ips: string[]}> {
  return new Promise((resolve) => {
    execFile('dig', [`@${ip}`, '-p', String(a.dnsPort), '+time=3', '+tries=1', name, 'A'], {timeout: 15_000}, (_e, out) => {
      const text = String(out ?? '')
      const status = /status: (\w+)/.exec(text)?.[1] ?? 'none'
      const ips = [...text.matchAll(/\sIN\s+A\s+(\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1])
      resolve({status, ips})
    })
  })
}

function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(d)
  return d
}

async function startServer(): Promise<RunningAgent> {
  const s = await startAgent({node: 'srv', bind: SERVER_IP, serfLanPort: SERF_PORT, serverPort: RPC_PORT, dataDir: serverDir})
  agents.push(s)
  return s
}

beforeAll(async () => {
  if (noDig) return
  assertBuilt()
  serverDir = tmp('dc-cache-srv-')
  const cfg = tmp('dc-cache-cfg-')
  writeFileSync(join(cfg, 'dns.json'), JSON.stringify({dns_config: {use_cache: true}}))
  // Both clients start before any server exists: retry-join keeps trying its address.
  const joinArgs = [`-retry-join=${SERVER}`, '-retry-interval=1s']
  ;[cached, plain] = await Promise.all([
    startAgent({client: true, node: 'cli-cached', bind: '127.0.0.142', dns: true, args: [...joinArgs, `-config-dir=${cfg}`]}),
    startAgent({client: true, node: 'cli-plain', bind: '127.0.0.143', dns: true, args: joinArgs}),
  ])
  agents.push(cached, plain)
}, 60_000)

afterAll(async () => {
  await Promise.all(agents.map((a) => a.kill()))
  agents.forEach((a) => a.cleanup())
  dirs.forEach((d) => rmSync(d, {recursive: true, force: true}))
})

describe('client agents and the agent cache across a server outage', () => {
  it('a client started before any server answers "No known Consul servers" (events too), and works once the server comes up', async () => {
    const kv = await http(plain, '/v1/kv/early')
    expect([kv.status, kv.body]).toEqual([500, 'No known Consul servers'])
    // User events go through a server (Internal.EventFire), so without one they fail the same way.
    const ev = await http(plain, '/v1/event/fire/early', {method: 'PUT'})
    expect([ev.status, ev.body]).toEqual([500, 'No known Consul servers'])
    server = await startServer()
    await waitFor(async () => (await http(plain, '/v1/kv/early', {method: 'PUT', body: 'x'})).body === 'true', 30_000, 200)
    await waitFor(async () => (await http(cached, '/v1/kv/early')).status === 200, 30_000, 200)
  })

  it('?cached through a client: MISS, then HIT with Age 0; a blocking ?cached query wakes on a change', async () => {
    const reg = await http(plain, '/v1/agent/service/register', {method: 'PUT', body: JSON.stringify({Name: 'web', ID: 'web-1', Port: 80})})
    expect(reg.status).toBe(200)
    await waitFor(async () => JSON.parse((await http(cached, '/v1/catalog/service/web')).body).length === 1, 20_000)
    const miss = await http(cached, '/v1/health/service/web?cached')
    expect(miss.headers.get('x-cache')).toBe('MISS')
    expect(miss.headers.get('age')).toBeNull()
    const hit = await http(cached, '/v1/health/service/web?cached')
    expect(hit.headers.get('x-cache')).toBe('HIT')
    expect(hit.headers.get('age')).toBe('0')
    expect(JSON.parse(hit.body).map((e: {Service: {ID: string}}) => e.Service.ID)).toEqual(['web-1'])
    const index = hit.headers.get('x-consul-index')
    const blocked = http(cached, `/v1/health/service/web?cached&index=${index}&wait=30s`)
    await http(plain, '/v1/agent/service/register', {method: 'PUT', body: JSON.stringify({Name: 'web', ID: 'web-2', Port: 81})})
    const woke = await blocked
    expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(Number(index))
    expect(JSON.parse(woke.body).map((e: {Service: {ID: string}}) => e.Service.ID).sort()).toEqual(['web-1', 'web-2'])
  })

  it('a user event fired on a client is broadcast by the server to the pool', async () => {
    const fired = await http(plain, '/v1/event/fire/deploy', {method: 'PUT', body: 'v2'})
    expect(fired.status).toBe(200)
    const id = (JSON.parse(fired.body) as {ID: string}).ID
    await waitFor(async () => (JSON.parse((await http(server!, '/v1/event/list?name=deploy')).body) as {ID: string}[]).some((e) => e.ID === id), 15_000)
    await waitFor(async () => (JSON.parse((await http(cached, '/v1/event/list?name=deploy')).body) as {ID: string}[]).some((e) => e.ID === id), 15_000)
  })

  it('kill -9 of the server: reads fail over to "No known Consul servers"; ?cached and use_cache DNS keep answering, with an Age', async () => {
    expect((await digA(cached, '127.0.0.142', 'web.service.consul')).ips).toContain('127.0.0.143')
    expect((await digA(plain, '127.0.0.143', 'web.service.consul')).ips).toContain('127.0.0.143')
    await server!.kill()
    await waitStatus(plain, 'srv', FAILED, 30_000)
    await waitFor(async () => {
      const r = await http(plain, '/v1/kv/early')
      return r.status === 500 && r.body === 'No known Consul servers'
    }, 20_000, 200)
    expect((await http(cached, '/v1/health/service/web')).status).toBe(500)
    // Fail static: the cached entry still answers, its Age counting from the lost contact.
    const aged = await waitFor(async () => {
      const r = await http(cached, '/v1/health/service/web?cached')
      return r.headers.get('x-cache') === 'HIT' && Number(r.headers.get('age')) >= 1 ? r : undefined
    }, 20_000, 250)
    expect(JSON.parse(aged.body)).toHaveLength(2)
    // DNS: from the cache on the use_cache client, SERVFAIL on the one that asks a server per query.
    expect((await digA(cached, '127.0.0.142', 'web.service.consul')).ips).toContain('127.0.0.143')
    expect((await digA(plain, '127.0.0.143', 'web.service.consul')).status).toBe('SERVFAIL')
  })

  it('the server back on the same address: clients recover, the cached entry is fresh again (Age 0)', async () => {
    server = await startServer()
    await waitFor(async () => (await http(plain, '/v1/kv/early')).status === 200, 60_000, 250)
    await waitFor(async () => {
      const r = await http(cached, '/v1/health/service/web?cached')
      return r.headers.get('x-cache') === 'HIT' && r.headers.get('age') === '0'
    }, 60_000, 250)
    await waitFor(async () => (await digA(plain, '127.0.0.143', 'web.service.consul')).ips.includes('127.0.0.143'), 30_000, 250)
  })

  it("a client whose data dir holds another member's node ID is refused when it joins", async () => {
    const self = JSON.parse((await http(server!, '/v1/agent/self')).body) as {Config: {NodeID: string}}
    const dir = tmp('dc-cache-imposter-')
    mkdirSync(dir, {recursive: true})
    writeFileSync(join(dir, 'node-id'), self.Config.NodeID)
    const imposter = await startAgent({client: true, node: 'imposter', bind: '127.0.0.144', dataDir: dir})
    agents.push(imposter)
    const joined = await dc(imposter, ['join', SERVER])
    expect(joined.code).not.toBe(0)
    expect(joined.stderr + joined.stdout).toMatch(/conflicting node ID/)
    expect((await http(server!, '/v1/agent/members')).body).not.toContain('imposter')
  })

  it('limits.rpc_rate on a client: over the limit a call answers 429 "RPC rate limit exceeded"', async () => {
    const cfg = tmp('dc-cache-limits-')
    writeFileSync(join(cfg, 'limits.json'), JSON.stringify({limits: {rpc_rate: 1, rpc_max_burst: 3}}))
    const limited = await startAgent({client: true, node: 'cli-limited', bind: '127.0.0.145', args: [`-config-dir=${cfg}`, `-retry-join=${SERVER}`]})
    agents.push(limited)
    await waitFor(async () => (await http(limited, '/v1/kv/early')).status === 200, 30_000, 1100)
    const statuses: number[] = []
    let body = ''
    for (let i = 0; i < 10; i++) {
      const r = await http(limited, '/v1/kv/early')
      statuses.push(r.status)
      if (r.status === 429) body = r.body
    }
    expect(statuses).toContain(429)
    expect(body).toBe('RPC rate limit exceeded')
    // Agent endpoints need no server and so no token.
    expect((await http(limited, '/v1/agent/self')).status).toBe(200)
    expect(await gossipAddr(limited)).toMatch(/^127\.0\.0\.145:/)
  })

  it('agents holding cache entries (background refreshes parked) still shut down on SIGTERM, client and server', async () => {
    expect((await http(cached, '/v1/catalog/services?cached')).status).toBe(200)
    // The server's own cache refreshes park on its local store.
    expect((await http(server!, '/v1/catalog/services?cached')).status).toBe(200)
    for (const a of [cached, server!]) {
      const t0 = Date.now()
      expect(await a.stop()).toBe(0)
      expect(Date.now() - t0).toBeLessThan(15_000)
    }
  })
})
