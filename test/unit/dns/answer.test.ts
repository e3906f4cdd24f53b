import {describe, expect, it} from 'vitest'
import {FakeCatalog, populated} from './fake-catalog.js'
import {
  additionalsOf, answersOf, ask, authoritiesOf, makeHandler, queryPacket, rcodeOf, srvData, txtStrings, WALL_MS,
} from './helpers.js'

function catalog(): FakeCatalog {
  const cat = new FakeCatalog({datacenter: 'dc1', knownDatacenters: ['dc1', 'dc2']})
  cat.addNode({name: 'alpha', address: '10.0.0.1', meta: {rack: 'r1', 'rfc1035-raw': 'plain value'}})
  cat.addNode({name: 'beta', address: '10.0.0.2'})
  cat.addNode({name: 'gamma', address: '2001:db8::3'})
  cat.addNode({name: 'delta', address: '10.0.0.4', tagged: {lan_ipv6: '2001:db8::4'}})
  cat.addService({node: 'alpha', name: 'web', tags: ['v1', 'primary'], port: 80, status: 'passing', weights: {Passing: 10, Warning: 1}})
  cat.addService({node: 'beta', name: 'web', tags: ['v2'], port: 81, status: 'passing'})
  cat.addService({node: 'gamma', name: 'web', tags: ['v1'], port: 82, status: 'passing'})
  cat.addService({node: 'beta', name: 'api', address: '192.168.0.9', port: 9000, status: 'passing'})
  cat.addService({node: 'alpha', name: 'consul', port: 8300, status: 'passing'})
  return cat
}

describe('service lookups', () => {
  it('A answers carry the IPv4 instances, AA set, RA unset without recursors, TTL 0', () => {
    const {handler} = makeHandler(catalog())
    const r = ask(handler, 'web.service.consul', 'A')
    expect(rcodeOf(r)).toBe('NOERROR')
    expect(r.flag_aa).toBe(true)
    expect(r.flag_ra).toBe(false)
    expect(answersOf(r, 'A').map((a) => a.data).sort()).toEqual(['10.0.0.1', '10.0.0.2'])
    expect(answersOf(r).every((a) => a.ttl === 0 && a.name === 'web.service.consul')).toBe(true)
  })

  it('AAAA answers carry the IPv6 instances', () => {
    const {handler} = makeHandler(catalog())
    const r = ask(handler, 'web.service.consul', 'AAAA')
    expect(answersOf(r).map((a) => a.data)).toEqual(['2001:db8::3'])
  })

  it('ANY and TXT answer with addresses of both families, as Consul', () => {
    const {handler} = makeHandler(catalog())
    expect(answersOf(ask(handler, 'web.service.consul', 'ANY')).map((a) => a.data).sort()).toEqual(['10.0.0.1', '10.0.0.2', '2001:db8::3'])
    expect(answersOf(ask(handler, 'web.service.consul', 'TXT')).map((a) => a.type).sort()).toEqual(['A', 'A', 'AAAA'])
  })

  it('SRV: port, weight, node target and A/AAAA glue plus node-meta TXT in additional', () => {
    const {handler} = makeHandler(catalog())
    const r = ask(handler, 'web.service.consul', 'SRV', {bufsize: 4096})
    const srvs = answersOf(r, 'SRV').map((a) => srvData(a)).sort((a, b) => a.port - b.port)
    expect(srvs).toEqual([
      {priority: 1, weight: 10, port: 80, target: 'alpha.node.dc1.consul'},
      {priority: 1, weight: 1, port: 81, target: 'beta.node.dc1.consul'},
      {priority: 1, weight: 1, port: 82, target: 'gamma.node.dc1.consul'},
    ])
    const extra = additionalsOf(r)
    expect(extra.filter((a) => a.type === 'A').map((a) => [a.name, a.data]).sort()).toEqual([
      ['alpha.node.dc1.consul', '10.0.0.1'], ['beta.node.dc1.consul', '10.0.0.2'],
    ])
    expect(extra.filter((a) => a.type === 'AAAA').map((a) => [a.name, a.data])).toEqual([['gamma.node.dc1.consul', '2001:db8::3']])
    expect(extra.filter((a) => a.type === 'TXT').map((a) => [a.name, txtStrings(a)])).toEqual([
      ['alpha.node.dc1.consul', ['rack=r1']], ['alpha.node.dc1.consul', ['plain value']],
    ])
  })

  it('SRV with a service address uses the .addr. target and its own glue', () => {
    const {handler} = makeHandler(catalog())
    const r = ask(handler, 'api.service.consul', 'SRV')
    expect(answersOf(r, 'SRV').map((a) => srvData(a))).toEqual([{priority: 1, weight: 1, port: 9000, target: 'c0a80009.addr.dc1.consul'}])
    expect(additionalsOf(r, 'A').map((a) => [a.name, a.data])).toEqual([['c0a80009.addr.dc1.consul', '192.168.0.9']])
    // A questions get the service address, not the node's.
    expect(answersOf(ask(handler, 'api.service.consul', 'A')).map((a) => a.data)).toEqual(['192.168.0.9'])
  })

  it('no node-meta TXT in SRV additional when enable_additional_node_meta_txt is off', () => {
    const {handler} = makeHandler(catalog(), {dns_config: {enable_additional_node_meta_txt: false}})
    expect(additionalsOf(ask(handler, 'web.service.consul', 'SRV'), 'TXT')).toEqual([])
  })

  it('tag filter, case-insensitive, and the RFC 2782 form', () => {
    const {handler} = makeHandler(catalog())
    expect(answersOf(ask(handler, 'V1.web.service.consul', 'ANY')).map((a) => a.data).sort()).toEqual(['10.0.0.1', '2001:db8::3'])
    expect(answersOf(ask(handler, '_web._v2.service.consul', 'SRV')).map((a) => srvData(a).port)).toEqual([81])
    expect(answersOf(ask(handler, '_web._tcp.service.consul', 'SRV'))).toHaveLength(3)
    expect(answersOf(ask(handler, '_web._tcp.consul', 'SRV'))).toHaveLength(3)
    expect(rcodeOf(ask(handler, 'v9.web.service.consul', 'A'))).toBe('NXDOMAIN')
  })

  it('answers echo the question case and honour the alt domain', () => {
    const {handler} = makeHandler(catalog(), {alt_domain: 'example.org'})
    const r = ask(handler, 'WEB.service.example.org', 'SRV')
    expect(answersOf(r).every((a) => a.name === 'WEB.service.example.org')).toBe(true)
    expect(answersOf(r).map((a) => srvData(a).target).sort()[0]).toBe('alpha.node.dc1.example.org')
    const nx = ask(handler, 'nope.service.example.org', 'A')
    expect(authoritiesOf(nx)[0].name).toBe('example.org')
  })

  it('explicit datacenter: known → looked up there, unknown → NXDOMAIN with SOA and no catalog read', () => {
    const cat = catalog()
    cat.addNode({name: 'remote', address: '10.9.0.1', dc: 'dc2'})
    cat.addService({node: 'remote', name: 'web', port: 80, dc: 'dc2'})
    const {handler} = makeHandler(cat)
    const r = ask(handler, 'web.service.dc2.consul', 'SRV')
    expect(answersOf(r).map((a) => srvData(a).target)).toEqual(['remote.node.dc2.consul'])
    const before = cat.calls
    const nx = ask(handler, 'web.service.nowhere.consul', 'A')
    expect(rcodeOf(nx)).toBe('NXDOMAIN')
    expect(authoritiesOf(nx).map((a) => a.type)).toEqual(['SOA'])
    expect(cat.calls).toBe(before)
  })

  it('an unreadable datacenter answers SERVFAIL', () => {
    const cat = catalog()
    cat.unreadable.add('dc2')
    const {handler} = makeHandler(cat)
    expect(rcodeOf(ask(handler, 'web.service.dc2.consul', 'A'))).toBe('SERVFAIL')
  })

  it('unknown service → NXDOMAIN with Consul SOA in authority', () => {
    const {handler} = makeHandler(catalog(), {dns_config: {soa: {refresh: 1, retry: 2, expire: 3, min_ttl: 4}}})
    const r = ask(handler, 'nope.service.consul', 'A')
    expect(rcodeOf(r)).toBe('NXDOMAIN')
    expect(r.flag_aa).toBe(true)
    expect(answersOf(r)).toEqual([])
    const [soa] = authoritiesOf(r)
    expect(soa).toMatchObject({
      type: 'SOA', name: 'consul', ttl: 4,
      data: {mname: 'ns.consul', rname: 'hostmaster.consul', serial: WALL_MS / 1000, refresh: 1, retry: 2, expire: 3, minimum: 4},
    })
  })

  it('known service whose type has no records → NOERROR NODATA with SOA', () => {
    const {handler} = makeHandler(catalog())
    const r = ask(handler, 'api.service.consul', 'AAAA')
    expect(rcodeOf(r)).toBe('NOERROR')
    expect(answersOf(r)).toEqual([])
    expect(authoritiesOf(r).map((a) => a.type)).toEqual(['SOA'])
    expect(rcodeOf(ask(handler, 'web.service.consul', 'MX'))).toBe('NOERROR')
  })

  it('prepared queries do not exist yet: NXDOMAIN', () => {
    const {handler} = makeHandler(catalog())
    expect(rcodeOf(ask(handler, 'anything.query.consul', 'A'))).toBe('NXDOMAIN')
    expect(rcodeOf(ask(handler, 'garbage.consul', 'A'))).toBe('NXDOMAIN')
  })

  it('uses the tagged lan_ipv6 for AAAA and SRV, and an .addr. target for it', () => {
    const cat = catalog()
    cat.addService({node: 'delta', name: 'dual', port: 7})
    const {handler} = makeHandler(cat)
    expect(answersOf(ask(handler, 'dual.service.consul', 'A')).map((a) => a.data)).toEqual(['10.0.0.4'])
    expect(answersOf(ask(handler, 'dual.service.consul', 'AAAA')).map((a) => a.data)).toEqual(['2001:db8::4'])
    const srv = ask(handler, 'dual.service.consul', 'SRV')
    expect(answersOf(srv).map((a) => srvData(a).target)).toEqual(['20010db8000000000000000000000004.addr.dc1.consul'])
  })

  it('a host-name address answers with a CNAME, resolved when it is inside the domain', () => {
    const cat = catalog()
    cat.addNode({name: 'ext', address: 'db.example.com'})
    cat.addService({node: 'ext', name: 'extdb', port: 5432})
    cat.addNode({name: 'alias', address: 'alpha.node.consul'})
    cat.addService({node: 'alias', name: 'aliased', port: 1})
    const {handler} = makeHandler(cat)
    expect(answersOf(ask(handler, 'extdb.service.consul', 'A')).map((a) => [a.type, a.data])).toEqual([['CNAME', 'db.example.com']])
    expect(answersOf(ask(handler, 'extdb.service.consul', 'SRV')).map((a) => srvData(a).target)).toEqual(['db.example.com'])
    const r = ask(handler, 'aliased.service.consul', 'A')
    expect(answersOf(r).map((a) => [a.type, a.data])).toEqual([['CNAME', 'alpha.node.consul'], ['A', '10.0.0.1']])
  })
})

describe('health filtering', () => {
  function withHealth(): FakeCatalog {
    const cat = new FakeCatalog()
    cat.addNode({name: 'ok', address: '10.1.0.1'})
    cat.addNode({name: 'warn', address: '10.1.0.2'})
    cat.addNode({name: 'crit', address: '10.1.0.3'})
    cat.addNode({name: 'sick-node', address: '10.1.0.4'})
    cat.addNode({name: 'maint', address: '10.1.0.5'})
    cat.addService({node: 'ok', name: 'svc', port: 1, status: 'passing', weights: {Passing: 5, Warning: 2}})
    cat.addService({node: 'warn', name: 'svc', port: 2, status: 'warning', weights: {Passing: 5, Warning: 2}})
    cat.addService({node: 'crit', name: 'svc', port: 3, status: 'critical'})
    cat.addService({node: 'sick-node', name: 'svc', port: 4, status: 'passing'})
    cat.addCheck({node: 'sick-node', id: 'serfHealth', status: 'critical'})
    cat.addService({node: 'maint', name: 'svc', port: 5, status: 'passing'})
    cat.addCheck({node: 'maint', id: '_node_maintenance', status: 'maintenance'})
    return cat
  }

  it('drops instances with a critical service or node check; warning stays with its weight', () => {
    const {handler} = makeHandler(withHealth())
    const srvs = answersOf(ask(handler, 'svc.service.consul', 'SRV')).map((a) => srvData(a)).sort((a, b) => a.port - b.port)
    expect(srvs.map((s) => [s.port, s.weight])).toEqual([[1, 5], [2, 2]])
  })

  it('only_passing drops warnings too', () => {
    const {handler} = makeHandler(withHealth(), {dns_config: {only_passing: true}})
    expect(answersOf(ask(handler, 'svc.service.consul', 'A')).map((a) => a.data)).toEqual(['10.1.0.1'])
  })

  it('a known service with no healthy instance → NXDOMAIN with SOA (as Consul)', () => {
    const cat = new FakeCatalog()
    cat.addNode({name: 'n', address: '10.0.0.1'})
    cat.addService({node: 'n', name: 'down', port: 1, status: 'critical'})
    const {handler} = makeHandler(cat)
    const r = ask(handler, 'down.service.consul', 'A')
    expect(rcodeOf(r)).toBe('NXDOMAIN')
    expect(authoritiesOf(r).map((a) => a.type)).toEqual(['SOA'])
  })
})

describe('TTLs, limits and shuffling', () => {
  it('service_ttl map: exact beats the longest wildcard; node_ttl for nodes', () => {
    const cat = populated(2, 'db-main')
    populated(1, 'db-replica', {catalog: cat})
    populated(1, 'cache', {catalog: cat})
    const {handler} = makeHandler(cat, {dns_config: {node_ttl: '7s', service_ttl: {'*': '5s', 'db*': '10s', 'db-main': '30s'}}})
    expect(answersOf(ask(handler, 'db-main.service.consul', 'A'))[0].ttl).toBe(30)
    expect(answersOf(ask(handler, 'db-replica.service.consul', 'A'))[0].ttl).toBe(10)
    expect(answersOf(ask(handler, 'cache.service.consul', 'A'))[0].ttl).toBe(5)
    const srv = ask(handler, 'cache.service.consul', 'SRV')
    expect(answersOf(srv)[0].ttl).toBe(5)
    expect(additionalsOf(srv)[0].ttl).toBe(5)
    expect(answersOf(ask(handler, 'cache-node-0.node.consul', 'A'))[0].ttl).toBe(7)
  })

  it('a_record_limit caps A answers after shuffling, not SRV', () => {
    const {handler} = makeHandler(populated(10), {dns_config: {a_record_limit: 3}})
    const seen = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const ips = answersOf(ask(handler, 'web.service.consul', 'A', {bufsize: 4096})).map((a) => String(a.data))
      expect(ips).toHaveLength(3)
      ips.forEach((ip) => seen.add(ip))
    }
    expect(seen.size).toBeGreaterThan(3)
    expect(answersOf(ask(handler, 'web.service.consul', 'SRV', {bufsize: 4096}))).toHaveLength(10)
  })

  it('shuffles on every query (same set, varying order)', () => {
    const {handler} = makeHandler(populated(8))
    const orders = new Set<string>()
    let set = ''
    for (let i = 0; i < 10; i++) {
      const ips = answersOf(ask(handler, 'web.service.consul', 'A', {bufsize: 4096})).map((a) => String(a.data))
      orders.add(ips.join(','))
      const sorted = [...ips].sort().join(',')
      if (set) expect(sorted).toBe(set)
      set = sorted
    }
    expect(orders.size).toBeGreaterThan(1)
  })

  it('de-duplicates instances sharing an address', () => {
    const cat = new FakeCatalog()
    cat.addNode({name: 'n', address: '10.0.0.1'})
    cat.addService({node: 'n', name: 'multi', id: 'm1', port: 1})
    cat.addService({node: 'n', name: 'multi', id: 'm2', port: 2})
    const {handler} = makeHandler(cat)
    expect(answersOf(ask(handler, 'multi.service.consul', 'A'))).toHaveLength(1)
    const srv = ask(handler, 'multi.service.consul', 'SRV')
    expect(answersOf(srv)).toHaveLength(2)
    expect(additionalsOf(srv, 'A')).toHaveLength(1)
  })
})

describe('node lookups', () => {
  it('A plus node meta as TXT in additional; TXT and ANY put it in the answer', () => {
    const {handler} = makeHandler(catalog())
    const a = ask(handler, 'alpha.node.consul', 'A')
    expect(answersOf(a).map((x) => x.data)).toEqual(['10.0.0.1'])
    expect(additionalsOf(a, 'TXT').map((x) => txtStrings(x))).toEqual([['rack=r1'], ['plain value']])
    const txt = ask(handler, 'alpha.node.dc1.consul', 'TXT')
    expect(answersOf(txt).map((x) => [x.type, txtStrings(x)[0]])).toEqual([['TXT', 'rack=r1'], ['TXT', 'plain value']])
    const any = ask(handler, 'ALPHA.node.consul', 'ANY')
    expect(answersOf(any).map((x) => x.type)).toEqual(['A', 'TXT', 'TXT'])
  })

  it('no meta TXT in additional when disabled; unknown node → NXDOMAIN; wrong family → NODATA', () => {
    const {handler} = makeHandler(catalog(), {dns_config: {enable_additional_node_meta_txt: false}})
    expect(additionalsOf(ask(handler, 'alpha.node.consul', 'A'))).toEqual([])
    expect(rcodeOf(ask(handler, 'nobody.node.consul', 'A'))).toBe('NXDOMAIN')
    const v6 = ask(handler, 'alpha.node.consul', 'AAAA')
    expect(rcodeOf(v6)).toBe('NOERROR')
    expect(answersOf(v6)).toEqual([])
    expect(authoritiesOf(v6).map((x) => x.type)).toEqual(['SOA'])
    expect(rcodeOf(ask(handler, 'alpha.node.nowhere.consul', 'A'))).toBe('NXDOMAIN')
  })

  it('encodes meta keys per RFC 1464', () => {
    const cat = new FakeCatalog()
    cat.addNode({name: 'n', address: '10.0.0.1', meta: {'a=b': 'x`y', ' sp ': 'v'}})
    const {handler} = makeHandler(cat)
    const texts = answersOf(ask(handler, 'n.node.consul', 'TXT')).map((x) => txtStrings(x)[0])
    expect(texts).toEqual(['` sp` =v', 'a`=b=x``y'])
  })
})

describe('addr, NS, SOA, PTR and other types', () => {
  it('.addr. names decode to A/AAAA; a family mismatch goes to additional (as Consul)', () => {
    const {handler} = makeHandler(catalog(), {dns_config: {node_ttl: '9s'}})
    const r = ask(handler, 'c000020a.addr.dc1.consul', 'A')
    expect(answersOf(r).map((a) => [a.type, a.data, a.ttl])).toEqual([['A', '192.0.2.10', 9]])
    const v6 = ask(handler, '20010db8000000000000000000000001.addr.consul', 'AAAA')
    expect(answersOf(v6).map((a) => a.data)).toEqual(['2001:db8::1'])
    const mismatch = ask(handler, 'c000020a.addr.consul', 'AAAA')
    expect(rcodeOf(mismatch)).toBe('NOERROR')
    expect(answersOf(mismatch)).toEqual([])
    expect(additionalsOf(mismatch).map((a) => a.data)).toEqual(['192.0.2.10'])
  })

  it('NS lists healthy servers (the consul service) with glue; SOA puts them in authority', () => {
    const {handler} = makeHandler(catalog())
    const ns = ask(handler, 'consul', 'NS')
    expect(answersOf(ns).map((a) => [a.type, a.name, a.data])).toEqual([['NS', 'consul', 'alpha.node.dc1.consul']])
    expect(additionalsOf(ns).map((a) => [a.name, a.data])).toEqual([['alpha.node.dc1.consul', '10.0.0.1']])
    const soa = ask(handler, 'web.service.consul', 'SOA')
    expect(answersOf(soa).map((a) => [a.type, a.name])).toEqual([['SOA', 'consul']])
    expect(authoritiesOf(soa).map((a) => [a.type, a.data])).toEqual([['NS', 'alpha.node.dc1.consul']])
    expect(additionalsOf(soa).map((a) => a.data)).toEqual(['10.0.0.1'])
  })

  it('NS lists at most three servers', () => {
    const cat = new FakeCatalog()
    for (let i = 0; i < 5; i++) {
      cat.addNode({name: `s${i}`, address: `10.0.1.${i}`})
      cat.addService({node: `s${i}`, name: 'consul', port: 8300})
    }
    const {handler} = makeHandler(cat)
    expect(answersOf(ask(handler, 'consul', 'NS'))).toHaveLength(3)
  })

  it('AXFR → NOTIMP', () => {
    const {handler} = makeHandler(catalog())
    expect(rcodeOf(ask(handler, 'consul', 'AXFR'))).toBe('NOTIMP')
  })

  it('PTR for node addresses, then service addresses; unknown → NXDOMAIN + SOA', () => {
    const {handler} = makeHandler(catalog(), {alt_domain: 'example.org'})
    const node = ask(handler, '1.0.0.10.in-addr.arpa', 'PTR')
    expect(answersOf(node).map((a) => [a.type, a.data, a.ttl])).toEqual([['PTR', 'alpha.node.dc1.consul', 0]])
    const v6 = ask(handler, '3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', 'PTR')
    expect(answersOf(v6).map((a) => a.data)).toEqual(['gamma.node.dc1.consul'])
    const svc = ask(handler, '9.0.168.192.in-addr.arpa', 'PTR')
    expect(answersOf(svc).map((a) => a.data)).toEqual(['api.service.dc1.consul'])
    const none = ask(handler, '9.9.9.9.in-addr.arpa', 'PTR')
    expect(rcodeOf(none)).toBe('NXDOMAIN')
    expect(authoritiesOf(none).map((a) => [a.type, a.name])).toEqual([['SOA', 'consul']])
  })

  it('names outside the domain: REFUSED without recursors, "recurse" with them', () => {
    const {handler} = makeHandler(catalog())
    const r = ask(handler, 'example.com', 'A')
    expect(rcodeOf(r)).toBe('REFUSED')
    expect(r.flag_aa).toBe(false)
    expect(r.flag_ra).toBe(false)
    const {handler: rec} = makeHandler(catalog(), {recursors: ['127.0.0.1:5353']})
    const res = rec.handle(queryPacket('example.com', 'A'), 'udp')
    expect(res.kind).toBe('recurse')
    expect(rec.handle(queryPacket('9.9.9.9.in-addr.arpa', 'PTR'), 'udp').kind).toBe('recurse')
    // In-domain answers advertise RA when recursors exist.
    expect(ask(rec, 'web.service.consul', 'A').flag_ra).toBe(true)
  })
})
