import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import dgram from 'node:dgram'
import net from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {requireTool} from '../../helpers/tools.js'
import {dig} from './dig.js'

// DNS answered by a real agent from its catalog: services registered over the HTTP API
// in mixed health, looked up with the real dig.
let agent: RunningAgent

async function register(body: unknown) {
  const r = await fetch(`${agent.url}/v1/catalog/register`, {method: 'PUT', body: JSON.stringify(body)})
  expect(r.status).toBe(200)
}

const check = (node: string, id: string, status: string, serviceId?: string) => ({Node: node, CheckID: id, Name: id, Status: status, ServiceID: serviceId ?? ''})

// Without dig every test here is skipped with the reason (a fresh machine has only Node).
const noDig = requireTool('dig')

beforeAll(async () => {
  if (noDig) return
  const cfg = mkdtempSync(join(tmpdir(), 'dc-dns-cfg-'))
  writeFileSync(join(cfg, 'dns.json'), JSON.stringify({dns_config: {service_ttl: {'*': '5s'}, node_ttl: '7s', enable_truncate: true}}))
  agent = await startAgent({dns: true, args: [`-config-dir=${cfg}`]})
  await register({Node: 'n1', Address: '10.0.0.1', NodeMeta: {rack: 'r1'}, Service: {ID: 'web-1', Service: 'web', Tags: ['v1', 'primary'], Port: 8080}, Checks: [check('n1', 'web-1-http', 'passing', 'web-1')]})
  await register({Node: 'n2', Address: '10.0.0.2', Service: {ID: 'web-2', Service: 'web', Tags: ['v2'], Port: 8081, Address: '10.0.1.2'}, Checks: [check('n2', 'web-2-http', 'warning', 'web-2')]})
  await register({Node: 'n3', Address: '10.0.0.3', Service: {ID: 'web-3', Service: 'web', Tags: ['v1'], Port: 8082}, Checks: [check('n3', 'web-3-http', 'critical', 'web-3')]})
  // A node-level critical check hides every service on that node.
  await register({Node: 'n4', Address: '10.0.0.4', Service: {ID: 'web-4', Service: 'web', Tags: ['v1'], Port: 8083}, Checks: [check('n4', 'node-down', 'critical')]})
  await register({Node: 'n5', Address: '10.0.0.5', Service: {ID: 'db-1', Service: 'db', Port: 5432}, Checks: [check('n5', 'db-check', 'critical', 'db-1')]})
})
afterAll(async () => {
  await agent?.stop()
  agent?.cleanup()
})

describe('DNS against a live agent', () => {
  it('answers A records only for instances without critical checks', async () => {
    const r = await dig(agent.dnsPort, 'web.service.consul', 'A')
    expect(r.status).toBe('NOERROR')
    expect(r.flags).toContain('aa')
    expect(r.answer.map((a) => a[4]).sort()).toEqual(['10.0.0.1', '10.0.1.2'])
    expect(r.answer.every((a) => a[1] === '5')).toBe(true)
  })

  it('answers SRV with node targets and glue, and the tag forms', async () => {
    const srv = await dig(agent.dnsPort, 'web.service.consul', 'SRV')
    expect(srv.answer.map((a) => a[6]).sort()).toEqual(['8080', '8081'])
    expect(srv.answer.map((a) => a[7])).toContain('n1.node.dc1.consul.')
    expect(srv.additional.some((a) => a[3] === 'A' && a[4] === '10.0.0.1')).toBe(true)
    const tagged = await dig(agent.dnsPort, 'v1.web.service.consul', 'A')
    expect(tagged.answer.map((a) => a[4])).toEqual(['10.0.0.1'])
    const rfc = await dig(agent.dnsPort, '_web._v2.service.consul', 'SRV')
    expect(rfc.answer.map((a) => a[6])).toEqual(['8081'])
    const dc = await dig(agent.dnsPort, 'web.service.dc1.consul', 'A')
    expect(dc.answer).toHaveLength(2)
  })

  it('answers node lookups, the servers, TCP and PTR', async () => {
    const node = await dig(agent.dnsPort, 'n1.node.consul', 'A')
    expect(node.answer.map((a) => [a[1], a[4]])).toEqual([['7', '10.0.0.1']])
    const servers = await dig(agent.dnsPort, 'consul.service.consul', 'A')
    expect(servers.answer).toHaveLength(1)
    const tcp = await dig(agent.dnsPort, '+tcp', 'web.service.consul', 'A')
    expect(tcp.transport).toBe('TCP')
    expect(tcp.answer).toHaveLength(2)
    const ptr = await dig(agent.dnsPort, '-x', '10.0.0.1')
    expect(ptr.answer.map((a) => a[4])).toContain('n1.node.dc1.consul.')
  })

  it('NXDOMAIN with SOA for unknown and all-critical services, and for unknown datacenters', async () => {
    for (const name of ['nope.service.consul', 'db.service.consul', 'web.service.nowhere.consul']) {
      const r = await dig(agent.dnsPort, name, 'A')
      expect(r.status, name).toBe('NXDOMAIN')
      expect(r.authority[0]?.[3], name).toBe('SOA')
    }
  })

  it('survives a 10,000-packet malformed barrage over UDP and TCP, then answers correctly', async () => {
    const rnd = seededRandom(4242)
    const header = (id: number, qd: number, ar = 0) => {
      const b = Buffer.alloc(12)
      b.writeUInt16BE(id, 0)
      b.writeUInt16BE(qd, 4)
      b.writeUInt16BE(ar, 10)
      return b
    }
    const valid = Buffer.concat([header(1, 1), Buffer.from([3, 119, 101, 98, 7, 115, 101, 114, 118, 105, 99, 101, 6, 99, 111, 110, 115, 117, 108, 0, 0, 1, 0, 1])])
    const packet = (i: number): Buffer => {
      switch (i % 5) {
        case 0: return Buffer.from(rnd.bytes(rnd.int(600)))
        case 1: return valid.subarray(0, rnd.int(valid.length)) // truncated
        case 2: return Buffer.concat([header(i & 0xffff, 1), Buffer.from([0xc0, 12, 0, 1, 0, 1])]) // pointer loop
        case 3: return Buffer.concat([header(i & 0xffff, 1, 9), valid.subarray(12)]) // lying counts
        default: {
          const b = Buffer.from(valid)
          for (let k = 0; k < 3; k++) b[rnd.int(b.length)] = rnd.int(256)
          return b
        }
      }
    }
    const sock = dgram.createSocket('udp4')
    for (let i = 0; i < 10_000; i++) {
      await new Promise<void>((res) => sock.send(packet(i), agent.dnsPort, '127.0.0.1', () => res()))
    }
    sock.close()
    // TCP: bad length prefixes, half frames, garbage, then hang up.
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((res) => {
        const c = net.connect(agent.dnsPort, '127.0.0.1', () => {
          c.end(Buffer.concat([Buffer.from([0xff, 0xff]), packet(i)]))
        })
        c.on('close', () => res())
        c.on('error', () => res())
        c.setTimeout(2000, () => c.destroy())
      })
    }
    const r = await dig(agent.dnsPort, 'web.service.consul', 'A')
    expect(r.status).toBe('NOERROR')
    expect(r.answer.length).toBeGreaterThanOrEqual(2)
    expect((await fetch(`${agent.url}/v1/status/leader`)).status).toBe(200)
  })

  it('follows health changes in the catalog', async () => {
    await register({Node: 'n3', Address: '10.0.0.3', Service: {ID: 'web-3', Service: 'web', Tags: ['v1'], Port: 8082}, Checks: [check('n3', 'web-3-http', 'passing', 'web-3')]})
    await waitFor(async () => (await dig(agent.dnsPort, 'web.service.consul', 'A')).answer.length === 3)
  })
})
