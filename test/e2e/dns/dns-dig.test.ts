/**
 * The DNS server on real sockets (127.0.0.1, ephemeral port) with an in-memory
 * catalog, queried by the real `dig`.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import dnsPacket from 'dns-packet'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseDnsConfig, type RawDnsConfig} from '../../../src/agent/dns/config.js'
import {startDnsServer, type DnsServer} from '../../../src/agent/dns/server.js'
import {createLogger} from '../../../src/agent/env/node.js'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {FakeCatalog, populated} from '../../unit/dns/fake-catalog.js'
import {queryPacket} from '../../unit/dns/helpers.js'
import {requireTool} from '../../helpers/tools.js'
import {dig} from './dig.js'
import {STUB_ADDRESS, deadPort, startStubResolver, type StubResolver} from './stub-resolver.js'

function catalog(): FakeCatalog {
  const cat = new FakeCatalog({datacenter: 'dc1', knownDatacenters: ['dc1']})
  cat.addNode({name: 'alpha', address: '10.0.0.1', meta: {rack: 'r1'}})
  cat.addNode({name: 'beta', address: '10.0.0.2'})
  cat.addNode({name: 'server1', address: '10.0.0.10'})
  cat.addService({node: 'alpha', name: 'web', tags: ['v1'], port: 80, status: 'passing'})
  cat.addService({node: 'beta', name: 'web', tags: ['v2'], port: 81, status: 'passing'})
  cat.addService({node: 'server1', name: 'consul', port: 8300, status: 'passing'})
  populated(200, 'big', {catalog: cat})
  return cat
}

const log = createLogger({level: 'error', json: false, write: () => {}})
const servers: DnsServer[] = []

async function serve(raw: RawDnsConfig = {}): Promise<number> {
  const s = await startDnsServer({host: '127.0.0.1', port: 0, config: parseDnsConfig(raw), catalog: catalog(), random: seededRandom(3), log})
  servers.push(s)
  return s.port
}

let plain: number
let truncating: number
let recursing: number
let deadOnly: number
let stub: StubResolver

// Without dig every test here is skipped with the reason (a fresh machine has only Node).
const noDig = requireTool('dig')

beforeAll(async () => {
  if (noDig) return
  stub = await startStubResolver()
  const dead = await deadPort()
  plain = await serve()
  truncating = await serve({dns_config: {enable_truncate: true}})
  recursing = await serve({recursors: [`127.0.0.1:${dead}`, `127.0.0.1:${stub.port}`], dns_config: {recursor_timeout: '300ms'}})
  deadOnly = await serve({recursors: [`127.0.0.1:${dead}`], dns_config: {recursor_timeout: '200ms'}})
})

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
  await stub?.close()
})

describe('dig against the DNS server', () => {
  it('A record for a service', async () => {
    const r = await dig(plain, 'web.service.consul')
    expect(r.status).toBe('NOERROR')
    expect(r.flags).toContain('aa')
    expect(r.flags).not.toContain('ra')
    expect(r.raw).toContain('WARNING: recursion requested but not available')
    expect(r.answer.map((a) => [a[0], a[3], a[4]]).sort()).toEqual([
      ['web.service.consul.', 'A', '10.0.0.1'], ['web.service.consul.', 'A', '10.0.0.2'],
    ])
  })

  it('SRV with A records in the additional section', async () => {
    const r = await dig(plain, 'web.service.consul', 'SRV')
    expect(r.answer.map((a) => a.slice(3).join(' ')).sort()).toEqual([
      'SRV 1 1 80 alpha.node.dc1.consul.', 'SRV 1 1 81 beta.node.dc1.consul.',
    ])
    expect(r.additional.filter((a) => a[3] === 'A').map((a) => `${a[0]} ${a[4]}`).sort()).toEqual([
      'alpha.node.dc1.consul. 10.0.0.1', 'beta.node.dc1.consul. 10.0.0.2',
    ])
    expect(r.additional.filter((a) => a[3] === 'TXT').map((a) => `${a[0]} ${a[4]}`)).toEqual(['alpha.node.dc1.consul. "rack=r1"'])
  })

  it('tag filter and the RFC 2782 form', async () => {
    expect((await dig(plain, 'v2.web.service.consul')).answer.map((a) => a[4])).toEqual(['10.0.0.2'])
    const rfc = await dig(plain, '_web._v1.service.consul', 'SRV')
    expect(rfc.answer.map((a) => a.slice(4).join(' '))).toEqual(['1 1 80 alpha.node.dc1.consul.'])
    expect((await dig(plain, '_web._tcp.service.consul', 'SRV')).answer).toHaveLength(2)
  })

  it('node lookup with TXT meta', async () => {
    const a = await dig(plain, 'alpha.node.consul')
    expect(a.answer.map((x) => [x[3], x[4]])).toEqual([['A', '10.0.0.1']])
    expect(a.additional.map((x) => [x[3], x[4]])).toEqual([['TXT', '"rack=r1"']])
    const txt = await dig(plain, 'alpha.node.consul', 'TXT')
    expect(txt.answer.map((x) => [x[3], x[4]])).toEqual([['TXT', '"rack=r1"']])
  })

  it('explicit datacenter, and an unknown one fails fast with NXDOMAIN', async () => {
    expect((await dig(plain, 'web.service.dc1.consul')).answer).toHaveLength(2)
    const nx = await dig(plain, 'web.service.nowhere.consul')
    expect(nx.status).toBe('NXDOMAIN')
  })

  it('consul.service.consul lists the servers', async () => {
    const r = await dig(plain, 'consul.service.consul')
    expect(r.answer.map((a) => a[4])).toEqual(['10.0.0.10'])
    const ns = await dig(plain, 'consul', 'NS')
    expect(ns.answer.map((a) => a.slice(3).join(' '))).toEqual(['NS server1.node.dc1.consul.'])
  })

  it('TCP', async () => {
    const r = await dig(plain, '+tcp', 'web.service.consul', 'SRV')
    expect(r.transport).toBe('TCP')
    expect(r.answer).toHaveLength(2)
  })

  it('200 instances over UDP: trimmed with TC when enable_truncate; dig then retries over TCP and gets all', async () => {
    const udp = await dig(truncating, '+notcp', '+ignore', 'big.service.consul', 'SRV')
    expect(udp.flags).toContain('tc')
    expect(udp.answer.length).toBeGreaterThan(5)
    expect(udp.answer.length).toBeLessThan(200)
    const retried = await dig(truncating, 'big.service.consul', 'SRV')
    expect(retried.raw).toContain('Truncated, retrying in TCP mode')
    expect(retried.transport).toBe('TCP')
    expect(retried.answer).toHaveLength(200)
    // Without enable_truncate Consul trims silently.
    const silent = await dig(plain, '+notcp', '+ignore', 'big.service.consul', 'SRV')
    expect(silent.flags).not.toContain('tc')
    expect(silent.answer.length).toBeLessThan(200)
  })

  it('EDNS0: the client buffer size decides how much fits; OPT echoed', async () => {
    const noedns = await dig(truncating, '+noedns', '+ignore', 'big.service.consul')
    expect(noedns.answer).toHaveLength(3)
    expect(noedns.ednsUdp).toBeUndefined()
    const small = await dig(truncating, '+bufsize=1232', '+ignore', 'big.service.consul')
    const large = await dig(truncating, '+bufsize=4096', '+ignore', 'big.service.consul')
    expect(large.ednsUdp).toBe(4096)
    expect(large.answer.length).toBeGreaterThan(small.answer.length)
    expect(large.answer).toHaveLength(200) // 16 bytes per compressed A record: all fit in 4096
    expect(small.flags).toContain('tc')
    expect(large.flags).not.toContain('tc')
  })

  it('PTR for a node address', async () => {
    const r = await dig(plain, '-x', '10.0.0.1')
    expect(r.answer.map((a) => a.slice(3).join(' '))).toEqual(['PTR alpha.node.dc1.consul.'])
  })

  it('NXDOMAIN with the SOA in authority', async () => {
    const r = await dig(plain, 'nope.service.consul')
    expect(r.status).toBe('NXDOMAIN')
    expect(r.flags).toContain('aa')
    expect(r.authority).toHaveLength(1)
    expect(r.authority[0].slice(0, 6)).toEqual(['consul.', '0', 'IN', 'SOA', 'ns.consul.', 'hostmaster.consul.'])
    expect(r.authority[0].slice(7)).toEqual(['3600', '600', '86400', '0'])
  })

  it('outside the domain without recursors: REFUSED, RA unset', async () => {
    const r = await dig(plain, 'example.com')
    expect(r.status).toBe('REFUSED')
    expect(r.flags).not.toContain('ra')
  })

  it('recursor forwarding to a stub resolver, failing over from a dead recursor (UDP and TCP)', async () => {
    const r = await dig(recursing, 'example.com')
    expect(r.status).toBe('NOERROR')
    expect(r.flags).toContain('ra')
    expect(r.answer.map((a) => a[4])).toEqual([STUB_ADDRESS])
    const tcp = await dig(recursing, '+tcp', 'example.com')
    expect(tcp.answer.map((a) => a[4])).toEqual([STUB_ADDRESS])
    const nx = await dig(recursing, 'unknown.example')
    expect(nx.status).toBe('NXDOMAIN')
    expect(stub.queries).toEqual(expect.arrayContaining(['udp example.com', 'tcp example.com', 'udp unknown.example']))
    // In-domain answers still come from the catalog, now with RA set.
    const local = await dig(recursing, 'web.service.consul')
    expect(local.flags).toContain('ra')
    expect(local.answer).toHaveLength(2)
  })

  it('every recursor failing → SERVFAIL', async () => {
    const r = await dig(deadOnly, 'example.com')
    expect(r.status).toBe('SERVFAIL')
    expect(r.flags).toContain('ra')
  })
})

describe('socket behaviour', () => {
  it('TCP: pipelined queries split across writes get one framed answer each', async () => {
    const frames = [queryPacket('web.service.consul', 'A', {id: 1}), queryPacket('nope.service.consul', 'A', {id: 2})]
      .map((q) => Buffer.concat([Buffer.from([q.length >> 8, q.length & 255]), q]))
    const wire = Buffer.concat(frames)
    const sock = net.connect(plain, '127.0.0.1')
    let buf = Buffer.alloc(0)
    const replies = await new Promise<{id: number; rcode: string}[]>((resolve, reject) => {
      const out: {id: number; rcode: string}[] = []
      sock.on('error', reject)
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d])
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)))
          buf = buf.subarray(2 + buf.readUInt16BE(0))
          out.push({id: msg.id!, rcode: (msg as unknown as {rcode: string}).rcode})
          if (out.length === 2) resolve(out)
        }
      })
      // Split mid-frame to exercise reassembly.
      sock.write(wire.subarray(0, 5))
      setImmediate(() => sock.write(wire.subarray(5)))
    })
    sock.destroy()
    expect(replies.sort((a, b) => a.id - b.id)).toEqual([{id: 1, rcode: 'NOERROR'}, {id: 2, rcode: 'NXDOMAIN'}])
  })

  it('UDP garbage does not disturb the listener', async () => {
    const s = dgram.createSocket('udp4')
    for (const junk of [Buffer.alloc(0), Buffer.from([1, 2, 3]), Buffer.alloc(600, 0xff)]) {
      await new Promise<void>((resolve) => s.send(junk, plain, '127.0.0.1', () => resolve()))
    }
    s.close()
    expect((await dig(plain, 'web.service.consul')).answer).toHaveLength(2)
  })

  it('port -1 means DNS off; close() is idempotent', async () => {
    const off = await startDnsServer({host: '127.0.0.1', port: -1, config: parseDnsConfig({}), catalog: catalog(), random: seededRandom(1), log})
    expect(off.port).toBe(-1)
    await off.close()
    const on = await startDnsServer({host: '127.0.0.1', port: 0, config: parseDnsConfig({}), catalog: catalog(), random: seededRandom(1), log})
    expect(on.port).toBeGreaterThan(0)
    await on.close()
    await on.close()
  })
})
