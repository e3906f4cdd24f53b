/**
 * Client agents as Consul runs them: one server and two clients, real processes on
 * 127.0.0.101–103. A client keeps no state; its HTTP API, DNS and anti-entropy reach
 * the server through the RPC port (8300 protocol, here on a free port).
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {requireTool} from '../../helpers/tools.js'
import {assertBuilt} from '../cli/run-cli.js'
import {execFile} from 'node:child_process'
import {FAILED, dc, gossipAddr, waitStatus} from '../gossip/helpers.js'

const noDig = requireTool('dig')
const agents: RunningAgent[] = []
const dirs: string[] = []
let server: RunningAgent, c1: RunningAgent, c2: RunningAgent

/** A records for `name` from the agent's DNS on its own address (dig +short). */
function digA(a: RunningAgent, ip: string, name: string): Promise<string[]> {
  return new Promise((resolve) => {
    execFile('dig', [`@${ip}`, '-p', String(a.dnsPort), '+time=2', '+tries=1', '+short', name, 'A'], {timeout: 10_000}, (_e, out) => {
      resolve(String(out ?? '').split('\n').map((l) => l.trim()).filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l)))
    })
  })
}

async function http(a: RunningAgent, path: string, init?: RequestInit): Promise<{status: number; body: string; index: string | null}> {
  const r = await fetch(`${a.url}${path}`, init)
  return {status: r.status, body: await r.text(), index: r.headers.get('x-consul-index')}
}

beforeAll(async () => {
  if (noDig) return
  assertBuilt()
  server = await startAgent({node: 'srv', bind: '127.0.0.101', serverPort: 0, dns: true})
  agents.push(server)
  const cfg = mkdtempSync(join(tmpdir(), 'dc-client-cfg-'))
  dirs.push(cfg)
  mkdirSync(cfg, {recursive: true})
  writeFileSync(join(cfg, 'web.json'), JSON.stringify({service: {name: 'web', id: 'web-c2', port: 8080, check: {ttl: '60s', status: 'passing'}}}))
  const join1 = `-retry-join=${await gossipAddr(server)}`
  ;[c1, c2] = await Promise.all([
    startAgent({client: true, node: 'cli-1', bind: '127.0.0.102', dns: true, args: [join1, '-retry-interval=1s']}),
    startAgent({client: true, node: 'cli-2', bind: '127.0.0.103', dns: true, args: [join1, '-retry-interval=1s', `-config-dir=${cfg}`]}),
  ])
  agents.push(c1, c2)
})

afterAll(async () => {
  await Promise.all(agents.map((a) => a.kill()))
  agents.forEach((a) => a.cleanup())
  dirs.forEach((d) => rmSync(d, {recursive: true, force: true}))
})

describe('client agents', () => {
  it('report client mode and the real leader', async () => {
    const self = JSON.parse((await http(c1, '/v1/agent/self')).body) as {Config: {Server: boolean}}
    expect(self.Config.Server).toBe(false)
    const leader = JSON.parse((await http(c1, '/v1/status/leader')).body) as string
    expect(leader).toMatch(/^127\.0\.0\.101:\d+$/)
    expect(JSON.parse((await http(c1, '/v1/status/peers')).body)).toEqual([leader])
  })

  it('write and read KV through a client, blocking queries included', async () => {
    const put = await dc(c1, ['kv', 'put', 'app/x', '1'])
    expect(put.code).toBe(0)
    expect((await dc(server, ['kv', 'get', 'app/x'])).stdout.trim()).toBe('1')
    const first = await http(c2, '/v1/kv/app/x')
    const blocked = http(c2, `/v1/kv/app/x?index=${first.index}&wait=20s`)
    expect((await http(c1, '/v1/kv/app/x', {method: 'PUT', body: '2'})).body).toBe('true')
    const woke = await blocked
    expect(Number(woke.index)).toBeGreaterThan(Number(first.index))
    expect(Buffer.from((JSON.parse(woke.body) as {Value: string}[])[0].Value, 'base64').toString()).toBe('2')
  })

  it('registers a service from its config dir in the catalog; the other client finds it over HTTP and DNS', async () => {
    await waitFor(async () => JSON.parse((await http(server, '/v1/catalog/service/web')).body).length === 1)
    const health = JSON.parse((await http(c1, '/v1/health/service/web?passing')).body) as {Node: {Node: string; Address: string}}[]
    expect(health.map((h) => h.Node.Node)).toEqual(['cli-2'])
    await waitFor(async () => (await digA(c1, '127.0.0.102', 'web.service.consul')).includes('127.0.0.103'), 15_000)
  })

  it('an alias check on a client follows a service on another node (Health.NodeChecks blocking queries through the server)', async () => {
    const reg = await http(c1, '/v1/agent/check/register', {method: 'PUT', body: JSON.stringify({Name: 'follow web', CheckID: 'follow-web', AliasNode: 'cli-2', AliasService: 'web-c2'})})
    expect(reg.status).toBe(200)
    const follow = async () => (JSON.parse((await http(c1, '/v1/agent/checks')).body) as Record<string, {Status: string; Output: string}>)['follow-web']
    await waitFor(async () => (await follow())?.Output === 'All checks passing.', 15_000)
    expect((await follow())!.Status).toBe('passing')
    expect((await http(c2, '/v1/agent/check/fail/service:web-c2?note=down', {method: 'PUT'})).status).toBe(200)
    const failing = await waitFor(async () => {
      const f = await follow()
      return f?.Status === 'critical' ? f : undefined
    }, 15_000)
    expect(failing.Output).toMatch(/^Aliased check .* failing: down$/)
    expect((await http(c2, '/v1/agent/check/pass/service:web-c2', {method: 'PUT'})).status).toBe(200)
    await waitFor(async () => (await follow())?.Status === 'passing', 15_000)
  })

  it('kill -9 of a client: it is failed, its serfHealth critical, its service out of ?passing and DNS', async () => {
    await c2.kill()
    await waitStatus(server, 'cli-2', FAILED, 30_000)
    await waitFor(async () => JSON.parse((await http(c1, '/v1/health/service/web?passing')).body).length === 0, 20_000)
    await waitFor(async () => (await digA(c1, '127.0.0.102', 'web.service.consul')).length === 0, 20_000)
  })

  it('the alias check on cli-1 turns critical once cli-2 has failed (its serfHealth is a node check of the aliased node)', async () => {
    const f = await waitFor(async () => {
      const c = (JSON.parse((await http(c1, '/v1/agent/checks')).body) as Record<string, {Status: string; Output: string}>)['follow-web']
      return c?.Status === 'critical' ? c : undefined
    }, 20_000)
    expect(f.Output).toContain('Serf Health Status')
    expect((await http(c1, '/v1/agent/check/deregister/follow-web', {method: 'PUT'})).status).toBe(200)
  })

  it('answers "No known Consul servers" while it knows none, and recovers when one joins', async () => {
    const lone = await startAgent({client: true, node: 'cli-lone', bind: '127.0.0.104'})
    agents.push(lone)
    const r = await http(lone, '/v1/kv/app/x')
    expect(r.status).toBe(500)
    expect(r.body).toBe('No known Consul servers')
    expect((await http(lone, '/v1/agent/members')).status).toBe(200)
    expect((await dc(lone, ['join', await gossipAddr(server)])).code).toBe(0)
    await waitFor(async () => (await http(lone, '/v1/kv/app/x')).status === 200, 15_000)
  })
})
