/**
 * Two datacenters of three servers each (dc1 on 127.0.0.31–33, dc2 on 127.0.0.34–36,
 * default ports) federated over the WAN pool, and a client agent in each (127.0.0.37,
 * 127.0.0.38). Requests naming the other datacenter are forwarded there by a server.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {assertBuilt} from '../cli/run-cli.js'
import {dc as dcCli} from '../gossip/helpers.js'
import {Partition, partitionSupport} from '../../helpers/iptables.js'
import {execFile} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {missingTool} from '../../helpers/tools.js'
import {agreedLeader, get, put, startServer, type ClusterServer} from './helpers.js'

const dc1: ClusterServer[] = [31, 32, 33].map((n) => ({name: `one-${n}`, ip: `127.0.0.${n}`, dns: n === 31}))
const dc2: ClusterServer[] = [34, 35, 36].map((n) => ({name: `two-${n}`, ip: `127.0.0.${n}`}))
let c1: RunningAgent, c2: RunningAgent
const agents = () => [...dc1, ...dc2].flatMap((s) => (s.agent ? [s.agent] : [])).concat([c1, c2].filter(Boolean))

beforeAll(async () => {
  assertBuilt()
  await Promise.all([
    ...dc1.map((s) => startServer(s, dc1.map((x) => x.ip), 3, ['-datacenter=dc1', '-retry-join-wan=127.0.0.34:8302', '-retry-interval-wan=1s'])),
    ...dc2.map((s) => startServer(s, dc2.map((x) => x.ip), 3, ['-datacenter=dc2'])),
  ])
  // client-one answers about other datacenters with their WAN addresses.
  const cfg = join(mkdtempSync(join(tmpdir(), 'dc-wan-')), 'translate.json')
  writeFileSync(cfg, JSON.stringify({translate_wan_addrs: true}))
  ;[c1, c2] = await Promise.all([
    startAgent({client: true, node: 'client-one', bind: '127.0.0.37', dns: true, args: [`-config-file=${cfg}`, '-datacenter=dc1', '-retry-join=127.0.0.31:8301', '-retry-interval=1s']}),
    startAgent({client: true, node: 'client-two', bind: '127.0.0.38', args: ['-datacenter=dc2', '-retry-join=127.0.0.34:8301', '-retry-interval=1s']}),
  ])
  await Promise.all([agreedLeader(dc1.map((s) => s.agent!), 20_000), agreedLeader(dc2.map((s) => s.agent!), 20_000)])
}, 90_000)

afterAll(async () => {
  await Promise.all(agents().map((a) => a.kill()))
  agents().forEach((a) => a.cleanup())
})

describe('two datacenters', () => {
  it('the WAN pool holds the six servers as <node>.<dc>; each datacenter lists both', async () => {
    const names = await waitFor(async () => {
      const r = await dcCli(dc1[0]!.agent!, ['members', '-wan', '-format=json'])
      const ms = JSON.parse(r.stdout) as {Name: string; Status: number}[]
      const alive = ms.filter((m) => m.Status === 1).map((m) => m.Name).sort()
      return alive.length === 6 ? alive : undefined
    }, 30_000, 500)
    expect(names).toEqual([...dc1.map((s) => `${s.name}.dc1`), ...dc2.map((s) => `${s.name}.dc2`)].sort())
    for (const a of [c1, c2]) {
      const dcs = JSON.parse((await get(a, '/v1/catalog/datacenters')).body) as string[]
      expect([...dcs].sort()).toEqual(['dc1', 'dc2'])
    }
    const coords = JSON.parse((await get(c1, '/v1/coordinate/datacenters')).body) as {Datacenter: string; AreaID: string; Coordinates: {Node: string}[]}[]
    expect(coords.map((c) => c.Datacenter).sort()).toEqual(['dc1', 'dc2'])
    for (const c of coords) expect(c.AreaID).toBe('WAN')
  }, 60_000)

  it('reads and writes name another datacenter with ?dc= (through a client, forwarded by a server)', async () => {
    expect(await put(c1, '/v1/kv/x?dc=dc2', 'v2')).toEqual({status: 200, body: 'true'})
    // Written in dc2 only: dc2's servers hold it, dc1 does not.
    expect((await get(dc2[1]!.agent!, '/v1/kv/x?raw')).body).toBe('v2')
    expect((await get(dc1[0]!.agent!, '/v1/kv/x')).status).toBe(404)
    const r = await get(c1, '/v1/kv/x?dc=dc2&raw')
    expect([r.status, r.body]).toEqual([200, 'v2'])
    // A service registered in dc2 is found from dc1.
    const reg = await fetch(`${c2.url}/v1/agent/service/register`, {method: 'PUT', body: JSON.stringify({Name: 'web', ID: 'web-2', Port: 8080})})
    expect(reg.status).toBe(200)
    const inst = await waitFor(async () => {
      const rows = JSON.parse((await get(c1, '/v1/catalog/service/web?dc=dc2')).body) as {Node: string; Datacenter: string; ServicePort: number}[]
      return rows.length === 1 ? rows[0] : undefined
    }, 20_000, 200)
    expect(inst).toMatchObject({Node: 'client-two', Datacenter: 'dc2', ServicePort: 8080})
    expect(JSON.parse((await get(c1, '/v1/catalog/service/web')).body)).toEqual([])
  }, 60_000)

  it('translate_wan_addrs: another datacenter\'s nodes are answered with their WAN address', async () => {
    // A node with a distinct WAN address (data only; nothing dials it).
    const reg = await fetch(`${c2.url}/v1/catalog/register`, {method: 'PUT', body: JSON.stringify({
      Node: 'far-node', Address: '127.0.0.99', TaggedAddresses: {lan: '127.0.0.99', wan: '198.51.100.7'},
      Service: {Service: 'far', Port: 9000},
    })})
    expect(reg.status).toBe(200)
    const viaC1 = await waitFor(async () => {
      const r = await get(c1, '/v1/catalog/service/far?dc=dc2')
      const rows = JSON.parse(r.body) as {Address: string}[]
      return rows.length ? {r, rows} : undefined
    }, 15_000, 200)
    expect(viaC1.rows.map((x) => x.Address)).toEqual(['198.51.100.7'])
    expect(viaC1.r.headers.get('x-consul-translate-addresses')).toBe('true')
    const health = JSON.parse((await get(c1, '/v1/health/service/far?dc=dc2')).body) as {Node: {Address: string}}[]
    expect(health.map((e) => e.Node.Address)).toEqual(['198.51.100.7'])
    // Without the option (c2, and for its own datacenter) the LAN address stays.
    const local = JSON.parse((await get(c2, '/v1/catalog/service/far')).body) as {Address: string}[]
    expect(local.map((x) => x.Address)).toEqual(['127.0.0.99'])
  }, 40_000)

  it('a blocking query into another datacenter wakes on a write there', async () => {
    const first = await get(c1, '/v1/kv/blk?dc=dc2')
    const index = Number(first.headers.get('x-consul-index'))
    const blocked = get(c1, `/v1/kv/blk?dc=dc2&index=${index}&wait=20s&raw`)
    expect(await put(c2, '/v1/kv/blk', 'woke')).toEqual({status: 200, body: 'true'})
    const r = await blocked
    expect(r.body).toBe('woke')
  }, 40_000)

  it('DNS answers <service>.service.<dc>.consul from another datacenter, on a client and on a server', async ({skip}) => {
    const why = missingTool('dig')
    if (why) skip(why)
    const dig = (a: RunningAgent, ip: string, name: string) => new Promise<{status: string; addrs: string[]}>((resolve) => {
      execFile('dig', [`@${ip}`, '-p', String(a.dnsPort), '+time=3', '+tries=1', name, 'A'], {timeout: 15_000}, (_e, out) => {
        const text = String(out ?? '')
        resolve({status: /status: (\w+)/.exec(text)?.[1] ?? '', addrs: [...text.matchAll(/\sIN\s+A\s+(\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1]!)})
      })
    })
    for (const [a, ip] of [[c1, '127.0.0.37'], [dc1[0]!.agent!, '127.0.0.31']] as const) {
      expect(await waitFor(async () => {
        const r = await dig(a, ip, 'web.service.dc2.consul')
        return r.addrs.length ? r.addrs : undefined
      }, 15_000, 300)).toEqual(['127.0.0.38'])
      expect((await dig(a, ip, 'web.service.consul')).status).toBe('NXDOMAIN')
      expect((await dig(a, ip, 'web.service.nowhere.consul')).status).toBe('NXDOMAIN')
      expect((await dig(a, ip, 'client-two.node.dc2.consul')).addrs).toEqual(['127.0.0.38'])
    }
  }, 60_000)

  it('an unknown datacenter answers 500 "No path to datacenter" at once', async () => {
    const t0 = Date.now()
    const r = await get(c1, '/v1/kv/x?dc=nowhere')
    expect([r.status, r.body]).toEqual([500, 'No path to datacenter'])
    expect(Date.now() - t0).toBeLessThan(2000)
    const cli = await dcCli(c1, ['kv', 'get', '-datacenter=dc2', 'x'])
    expect(cli.stdout.trim()).toBe('v2')
  })

  it('a prepared query fails over to dc2 when dc1 has no healthy instance', async () => {
    const create = await fetch(`${c1.url}/v1/query`, {
      method: 'POST',
      body: JSON.stringify({Name: 'web-q', Service: {Service: 'web', Failover: {NearestN: 2, Datacenters: ['dc2']}, OnlyPassing: true}}),
    })
    expect(create.status).toBe(200)
    const res = JSON.parse((await get(c1, '/v1/query/web-q/execute')).body) as {Datacenter: string; Failovers: number; Nodes: {Node: {Node: string}}[]}
    expect(res.Datacenter).toBe('dc2')
    expect(res.Failovers).toBe(1)
    expect(res.Nodes.map((n) => n.Node.Node)).toEqual(['client-two'])
  }, 30_000)

  it('a WAN partition: local requests keep working, cross-datacenter ones fail within a bound, and work again after the heal', async ({skip}) => {
    const why = partitionSupport()
    if (why) skip(why)
    const net = new Partition()
    try {
      net.cut([...dc1.map((s) => s.ip), '127.0.0.37'], [...dc2.map((s) => s.ip), '127.0.0.38'])
      expect(await put(c1, '/v1/kv/local-during-cut', 'ok')).toEqual({status: 200, body: 'true'})
      const t0 = Date.now()
      const r = await get(c1, '/v1/kv/x?dc=dc2').catch((e: Error) => ({status: 0, body: e.message, headers: new Headers()}))
      expect(r.status).toBe(500)
      expect(Date.now() - t0).toBeLessThan(14_000)
      expect((await get(c1, '/v1/kv/local-during-cut?raw')).body).toBe('ok')
    } finally {
      net.heal()
    }
    const back = await waitFor(async () => {
      const x = await get(c1, '/v1/kv/x?dc=dc2&raw')
      return x.status === 200 ? x.body : undefined
    }, 60_000, 500)
    expect(back).toBe('v2')
  }, 120_000)
})
