import dnsPacket from 'dns-packet'
import {describe, expect, it} from 'vitest'
import {createDnsHandler, type DnsHandler} from '../../../src/agent/dns/handler.js'
import {parseDnsConfig} from '../../../src/agent/dns/config.js'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {FakeCatalog, populated} from './fake-catalog.js'
import {answersOf, authoritiesOf, makeHandler, queryPacket} from './helpers.js'

function reply(handler: DnsHandler, packet: Buffer): Buffer {
  const r = handler.handle(packet, 'udp')
  if (r.kind !== 'reply') throw new Error(`expected a reply, got ${r.kind}`)
  return r.bytes
}

describe('encoded-answer cache (repeat queries copied under their own ID)', () => {
  it('a repeated one-instance query is answered from the cache with the new ID and otherwise the same bytes', () => {
    const {handler} = makeHandler(populated(1))
    const first = reply(handler, queryPacket('web.service.consul', 'A', {id: 1}))
    const again = reply(handler, queryPacket('web.service.consul', 'A', {id: 0xbeef}))
    expect(handler.encodedHits()).toBe(1)
    expect(again.readUInt16BE(0)).toBe(0xbeef)
    expect(again.subarray(2)).toEqual(first.subarray(2))
    // The cached copy is not the buffer handed out: rewriting one reply's ID leaves the next intact.
    again.writeUInt16BE(7, 0)
    expect(reply(handler, queryPacket('web.service.consul', 'A', {id: 9})).readUInt16BE(0)).toBe(9)
    // Against a fresh handler (no cache), the bytes are what a full render gives.
    const {handler: fresh} = makeHandler(populated(1))
    expect(reply(fresh, queryPacket('web.service.consul', 'A', {id: 0xbeef}))).toEqual(reply(handler, queryPacket('web.service.consul', 'A', {id: 0xbeef})))
  })

  it('a catalog change (new index) is seen by the next query', () => {
    const cat = populated(1)
    const {handler} = makeHandler(cat)
    reply(handler, queryPacket('web.service.consul', 'A'))
    reply(handler, queryPacket('web.service.consul', 'A'))
    expect(handler.encodedHits()).toBe(1)
    cat.addNode({name: 'late', address: '10.200.0.1'})
    cat.addService({node: 'late', name: 'web', port: 1, status: 'passing'})
    const after = dnsPacket.decode(reply(handler, queryPacket('web.service.consul', 'A', {bufsize: 4096})))
    expect(answersOf(after).map((a) => a.data)).toContain('10.200.0.1')
  })

  it('shuffled answers (several instances) are rendered per query, never copied', () => {
    const {handler} = makeHandler(populated(10))
    const orders = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const p = dnsPacket.decode(reply(handler, queryPacket('web.service.consul', 'A', {bufsize: 4096})))
      orders.add(answersOf(p).map((a) => a.data).join(','))
    }
    expect(handler.encodedHits()).toBe(0)
    expect(orders.size).toBeGreaterThan(1)
  })

  it('answers carrying an SOA (its serial reads the clock) are rendered per query', () => {
    let wall = 1_700_000_000_000
    const handler = createDnsHandler({config: parseDnsConfig({}), catalog: new FakeCatalog(), random: seededRandom(1), wallMs: () => wall})
    const serial = () => (authoritiesOf(dnsPacket.decode(reply(handler, queryPacket('nope.service.consul', 'A'))))[0].data as {serial: number}).serial
    const before = serial()
    wall += 5_000
    expect(serial()).toBe(before + 5)
    expect(handler.encodedHits()).toBe(0)
  })

  it('is bounded like the resolution cache', () => {
    const handler = createDnsHandler({config: parseDnsConfig({}), catalog: populated(1), random: seededRandom(1), wallMs: () => 0, cacheMaxEntries: 4})
    for (let i = 0; i < 10; i++) reply(handler, queryPacket('web.service.consul', 'A', {bufsize: 1000 + i}))
    for (let i = 6; i < 10; i++) reply(handler, queryPacket('web.service.consul', 'A', {bufsize: 1000 + i}))
    expect(handler.encodedHits()).toBe(4)
    reply(handler, queryPacket('web.service.consul', 'A', {bufsize: 1000}))
    expect(handler.encodedHits()).toBe(4)
  })
})
