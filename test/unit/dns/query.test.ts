import {describe, expect, it} from 'vitest'
import {QType} from '../../../src/agent/dns/protocol.js'
import {parseQuestion, type Plan} from '../../../src/agent/dns/query.js'

const cfg = {domain: 'consul.', altDomain: ''}
const alt = {domain: 'consul.', altDomain: 'example.org.'}
const parse = (name: string, type: number = QType.A, c = cfg): Plan => parseQuestion(name, type, c)

describe('parseQuestion: service names', () => {
  it('plain, tagged, dotted tags and explicit datacenter', () => {
    expect(parse('web.service.consul')).toEqual({kind: 'service', domain: 'consul', service: 'web', tag: ''})
    expect(parse('web.service.consul.')).toEqual({kind: 'service', domain: 'consul', service: 'web', tag: ''})
    expect(parse('v1.web.service.consul')).toEqual({kind: 'service', domain: 'consul', service: 'web', tag: 'v1'})
    expect(parse('a.b.web.service.consul')).toEqual({kind: 'service', domain: 'consul', service: 'web', tag: 'a.b'})
    expect(parse('web.service.dc2.consul')).toEqual({kind: 'service', domain: 'consul', dc: 'dc2', service: 'web', tag: ''})
    expect(parse('web.service.dc2.dc.consul')).toEqual({kind: 'service', domain: 'consul', dc: 'dc2', service: 'web', tag: ''})
  })

  it('is case-insensitive', () => {
    expect(parse('V1.WeB.SERVICE.DC2.CONSUL')).toEqual({kind: 'service', domain: 'consul', dc: 'dc2', service: 'web', tag: 'v1'})
  })

  it('RFC 2782 form: _tcp means no tag, other protocols are tags (as Consul)', () => {
    expect(parse('_web._tcp.service.consul', QType.SRV)).toEqual({kind: 'service', domain: 'consul', service: 'web', tag: ''})
    expect(parse('_web._v1.service.consul', QType.SRV)).toEqual({kind: 'service', domain: 'consul', service: 'web', tag: 'v1'})
    expect(parse('_web._udp.service.consul', QType.SRV)).toEqual({kind: 'service', domain: 'consul', service: 'web', tag: 'udp'})
    expect(parse('_web._tcp.service.dc2.consul', QType.SRV)).toEqual({kind: 'service', domain: 'consul', dc: 'dc2', service: 'web', tag: ''})
  })

  it('RFC 2782 form without the service label only for SRV questions', () => {
    expect(parse('_web._tcp.consul', QType.SRV)).toEqual({kind: 'service', domain: 'consul', service: 'web', tag: ''})
    expect(parse('_web._tcp.dc2.consul', QType.SRV)).toEqual({kind: 'service', domain: 'consul', dc: 'dc2', service: 'web', tag: ''})
    expect(parse('_web._tcp.consul', QType.A)).toEqual({kind: 'invalid', domain: 'consul'})
  })

  it('rejects missing parts and bad locality', () => {
    expect(parse('service.consul')).toEqual({kind: 'invalid', domain: 'consul'})
    expect(parse('web.service.a.b.c.consul')).toEqual({kind: 'invalid', domain: 'consul'})
    expect(parse('web.service.p1.peer.consul')).toEqual({kind: 'invalid', domain: 'consul'})
    expect(parse('consul')).toEqual({kind: 'invalid', domain: 'consul'})
    expect(parse('foo.bar.consul')).toEqual({kind: 'invalid', domain: 'consul'})
    expect(parse('web.connect.consul')).toEqual({kind: 'invalid', domain: 'consul'})
  })
})

describe('parseQuestion: node, query, addr', () => {
  it('node names, with dots and datacenter', () => {
    expect(parse('foo.node.consul')).toEqual({kind: 'node', domain: 'consul', node: 'foo'})
    expect(parse('foo.bar.node.dc1.consul')).toEqual({kind: 'node', domain: 'consul', dc: 'dc1', node: 'foo.bar'})
    expect(parse('node.consul')).toEqual({kind: 'invalid', domain: 'consul'})
  })

  it('prepared query names, including the RFC 2782 form', () => {
    expect(parse('geo.query.consul')).toEqual({kind: 'query', domain: 'consul', query: 'geo'})
    expect(parse('geo.query.dc2.consul')).toEqual({kind: 'query', domain: 'consul', dc: 'dc2', query: 'geo'})
    expect(parse('_geo._tcp.query.consul', QType.SRV)).toEqual({kind: 'query', domain: 'consul', query: 'geo'})
    expect(parse('geo.query.a.b.consul')).toEqual({kind: 'invalid', domain: 'consul'})
  })

  it('hex-encoded addresses', () => {
    expect(parse('c000020a.addr.dc1.consul')).toEqual({kind: 'addr', domain: 'consul', ip: new Uint8Array([192, 0, 2, 10])})
    const v6 = parse('20010db8000100020000000000001337.addr.consul')
    expect(v6).toMatchObject({kind: 'addr'})
    expect(Array.from((v6 as {ip: Uint8Array}).ip)).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0x13, 0x37])
    expect(parse('c00002.addr.consul')).toEqual({kind: 'invalid', domain: 'consul'})
    expect(parse('zz00020a.addr.consul')).toEqual({kind: 'invalid', domain: 'consul'})
  })
})

describe('parseQuestion: domains, SOA/NS, reverse and outside names', () => {
  it('alt domain answers in the domain the question used; the longest domain wins', () => {
    expect(parse('web.service.example.org', QType.A, alt)).toEqual({kind: 'service', domain: 'example.org', service: 'web', tag: ''})
    expect(parse('web.service.consul', QType.A, alt)).toEqual({kind: 'service', domain: 'consul', service: 'web', tag: ''})
    const nested = {domain: 'consul.', altDomain: 'dc.consul.'}
    expect(parse('web.service.dc.consul', QType.A, nested)).toEqual({kind: 'service', domain: 'dc.consul', service: 'web', tag: ''})
  })

  it('SOA, NS and AXFR anywhere in the domain', () => {
    expect(parse('consul', QType.SOA)).toEqual({kind: 'soa', domain: 'consul'})
    expect(parse('web.service.consul', QType.NS)).toEqual({kind: 'ns', domain: 'consul'})
    expect(parse('consul', QType.AXFR)).toEqual({kind: 'notimp', domain: 'consul'})
  })

  it('reverse names', () => {
    expect(parse('10.2.0.192.in-addr.arpa', QType.PTR)).toEqual({kind: 'ptr', ip: new Uint8Array([192, 0, 2, 10])})
    const nibbles = '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa'
    const p = parse(nibbles, QType.PTR) as {kind: string; ip: Uint8Array}
    expect(p.kind).toBe('ptr')
    expect(Array.from(p.ip)).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    expect(parse('2.0.192.in-addr.arpa', QType.PTR)).toEqual({kind: 'ptr', ip: undefined})
  })

  it('anything else is outside', () => {
    expect(parse('example.com')).toEqual({kind: 'outside'})
    expect(parse('consul.example.com')).toEqual({kind: 'outside'})
    expect(parse('')).toEqual({kind: 'outside'})
    expect(parse('notconsul')).toEqual({kind: 'outside'})
  })
})
