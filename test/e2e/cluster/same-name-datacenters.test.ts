/**
 * Two separately bootstrapped single-server datacenters that were both named dc1
 * (alpha on 127.0.0.191, bravo on 127.0.0.192) and one dc2 (charlie on 127.0.0.193),
 * joined over the WAN. Every server sees that two Raft clusters claim dc1: it logs it,
 * reports it in /v1/agent/self, and charlie answers ?dc=dc1 with a 500 naming the
 * conflict instead of forwarding to either. Once bravo leaves, dc1 is alpha's again.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {assertBuilt} from '../cli/run-cli.js'
import {dc as dcCli} from '../gossip/helpers.js'
import {get, put} from './helpers.js'

let alpha: RunningAgent, bravo: RunningAgent, charlie: RunningAgent
const all = () => [alpha, bravo, charlie].filter(Boolean)

interface ConsulStats {raft_cluster_id: string; datacenter_conflicts: string; datacenter_conflicts_detected: string; known_datacenters: string}

async function consulStats(a: RunningAgent): Promise<ConsulStats> {
  return (JSON.parse((await get(a, '/v1/agent/self')).body) as {Stats: {consul: ConsulStats}}).Stats.consul
}

function server(node: string, ip: string, datacenter: string, join: string[] = []): Promise<RunningAgent> {
  return startAgent({
    node, bind: ip, serverPort: 8300, serfLanPort: 8301, serfWanPort: 8302,
    args: [`-datacenter=${datacenter}`, '-retry-interval-wan=1s', ...join.map((j) => `-retry-join-wan=${j}:8302`)],
  })
}

beforeAll(async () => {
  assertBuilt()
  charlie = await server('charlie', '127.0.0.193', 'dc2')
  ;[alpha, bravo] = await Promise.all([
    server('alpha', '127.0.0.191', 'dc1', ['127.0.0.193']),
    server('bravo', '127.0.0.192', 'dc1', ['127.0.0.193']),
  ])
  // Each datacenter's own data, written locally.
  for (const [a, v] of [[alpha, 'alpha'], [bravo, 'bravo'], [charlie, 'charlie']] as const) {
    expect(await put(a, '/v1/kv/who', v)).toEqual({status: 200, body: 'true'})
  }
}, 90_000)

afterAll(async () => {
  await Promise.all(all().map((a) => a.kill()))
  all().forEach((a) => a.cleanup())
})

describe('two clusters named dc1 in one WAN pool', () => {
  it('each server advertises its own cluster\'s ID in its WAN tags; the two dc1 clusters differ', async () => {
    const tags = await waitFor(async () => {
      const r = await dcCli(charlie, ['members', '-wan', '-format=json'])
      const ms = JSON.parse(r.stdout) as {Name: string; Status: number; Tags: Record<string, string>}[]
      const ids = Object.fromEntries(ms.filter((m) => m.Status === 1).map((m) => [m.Name, m.Tags.raft_cluster_id ?? '']))
      return Object.keys(ids).length === 3 && Object.values(ids).every(Boolean) ? ids : undefined
    }, 30_000, 300)
    expect(Object.keys(tags).sort()).toEqual(['alpha.dc1', 'bravo.dc1', 'charlie.dc2'])
    expect(new Set(Object.values(tags)).size).toBe(3)
    // The ID each advertises is its own cluster's, as its agent/self says.
    expect(tags['alpha.dc1']).toBe((await consulStats(alpha)).raft_cluster_id)
    expect(tags['bravo.dc1']).toBe((await consulStats(bravo)).raft_cluster_id)
    // `dc members -wan -detailed` shows it to an operator.
    const detailed = await dcCli(charlie, ['members', '-wan', '-detailed'])
    expect(detailed.stdout).toContain(`raft_cluster_id=${tags['alpha.dc1']}`)
  }, 45_000)

  it('every server detects it, logs one line saying what to do, and reports it in agent/self', async () => {
    for (const a of [alpha, bravo, charlie]) {
      const s = await waitFor(async () => {
        const st = await consulStats(a)
        return st.datacenter_conflicts === 'dc1' ? st : undefined
      }, 20_000, 300)
      expect(Number(s.datacenter_conflicts_detected)).toBeGreaterThanOrEqual(1)
      expect(s.known_datacenters).toBe('2')
      const lines = a.output().split('\n').filter((l) => l.includes('claim') && l.includes('"dc1"'))
      expect(lines.length).toBeGreaterThanOrEqual(1)
      expect(lines[0]).toContain('-datacenter')
    }
    // The dc1 servers say another cluster claims their own name, and name its server.
    expect(alpha.output()).toMatch(/Other clusters claim this datacenter's name "dc1".*bravo\.dc1/)
    expect(bravo.output()).toMatch(/Other clusters claim this datacenter's name "dc1".*alpha\.dc1/)
  }, 60_000)

  it('dc2 refuses ?dc=dc1 with a 500 naming the conflict, and lists dc1 once', async () => {
    const r = await get(charlie, '/v1/kv/who?dc=dc1&raw')
    expect(r.status).toBe(500)
    expect(r.body).toContain('Datacenter "dc1" is claimed by 2 separately bootstrapped clusters')
    expect(r.body).toContain('alpha.dc1')
    expect(r.body).toContain('bravo.dc1')
    const cli = await dcCli(charlie, ['kv', 'get', '-datacenter=dc1', 'who'])
    expect(cli.code).not.toBe(0)
    expect(cli.stderr).toContain('claimed by 2')
    const dcs = JSON.parse((await get(charlie, '/v1/catalog/datacenters')).body) as string[]
    expect([...dcs].sort()).toEqual(['dc1', 'dc2'])
  }, 30_000)

  it('each dc1 server serves dc1 itself, reaches dc2, and lists dc1 once', async () => {
    expect((await get(alpha, '/v1/kv/who?dc=dc1&raw')).body).toBe('alpha')
    expect((await get(bravo, '/v1/kv/who?raw')).body).toBe('bravo')
    // The cluster ID is system metadata, not user data: the KV holds only what was written.
    expect(JSON.parse((await get(alpha, '/v1/kv/?keys')).body)).toEqual(['who'])
    for (const a of [alpha, bravo]) {
      const r = await get(a, '/v1/kv/who?dc=dc2&raw')
      expect([r.status, r.body]).toEqual([200, 'charlie'])
      const dcs = JSON.parse((await get(a, '/v1/catalog/datacenters')).body) as string[]
      expect([...dcs].sort()).toEqual(['dc1', 'dc2'])
      const coords = JSON.parse((await get(a, '/v1/coordinate/datacenters')).body) as {Datacenter: string; Coordinates: {Node: string}[]}[]
      // Its own datacenter's coordinates are its own cluster's servers only.
      const own = coords.find((c) => c.Datacenter === 'dc1')
      expect(own?.Coordinates.map((c) => c.Node) ?? []).not.toContain(a === alpha ? 'bravo' : 'alpha')
    }
  }, 30_000)

  it('once bravo leaves, dc2 routes ?dc=dc1 to alpha and the conflict is cleared', async () => {
    const left = await dcCli(bravo, ['leave'])
    expect(left.code).toBe(0)
    // It leaves both pools, then exits by itself (a signal now would cut the leave short).
    await waitFor(() => bravo.proc.exitCode !== null || bravo.proc.signalCode !== null, 20_000, 100)
    let last = ''
    const body = await waitFor(async () => {
      const r = await get(charlie, '/v1/kv/who?dc=dc1&raw')
      last = `${r.status} ${r.body}`
      return r.status === 200 ? r.body : undefined
    }, 30_000, 300).catch(async (e: Error) => {
      throw new Error(`${e.message}; last answer: ${last}; members: ${(await dcCli(charlie, ['members', '-wan'])).stdout}\n${bravo.output().slice(-1500)}`)
    })
    expect(body).toBe('alpha')
    for (const a of [alpha, charlie]) expect(await waitFor(async () => ((await consulStats(a)).datacenter_conflicts === '' ? true : undefined), 15_000, 300)).toBe(true)
    expect(charlie.output()).toContain('datacenter "dc1" is claimed by one cluster again')
  }, 60_000)
})
