import {describe, expect, it} from 'vitest'
import {createDnsHandler} from '../../../src/agent/dns/handler.js'
import {parseDnsConfig} from '../../../src/agent/dns/config.js'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {FakeCatalog, populated} from './fake-catalog.js'
import {answersOf, ask, makeHandler, rcodeOf} from './helpers.js'

describe('answer cache keyed by (question, catalog index)', () => {
  it('a hot name is resolved once while the index stands still', () => {
    const cat = populated(10)
    const {handler} = makeHandler(cat)
    for (let i = 0; i < 50; i++) expect(answersOf(ask(handler, 'web.service.consul', 'A', {bufsize: 4096}))).toHaveLength(10)
    expect(handler.misses()).toBe(1)
    const reads = cat.calls
    ask(handler, 'web.service.consul', 'A')
    expect(cat.calls).toBe(reads)
  })

  it('a catalog change (new index) invalidates: the next answer sees it', () => {
    const cat = populated(2)
    const {handler} = makeHandler(cat)
    expect(answersOf(ask(handler, 'web.service.consul', 'A'))).toHaveLength(2)
    cat.addNode({name: 'late', address: '10.200.0.1'})
    cat.addService({node: 'late', name: 'web', port: 1, status: 'passing'})
    const after = answersOf(ask(handler, 'web.service.consul', 'A', {bufsize: 4096})).map((a) => a.data)
    expect(after).toContain('10.200.0.1')
    expect(handler.misses()).toBe(2)
    cat.setCheckStatus('late', 'service:web', 'critical')
    expect(answersOf(ask(handler, 'web.service.consul', 'A', {bufsize: 4096})).map((a) => a.data)).not.toContain('10.200.0.1')
  })

  it('negative answers are cached and invalidated too', () => {
    const cat = new FakeCatalog()
    const {handler} = makeHandler(cat)
    expect(rcodeOf(ask(handler, 'db.service.consul', 'A'))).toBe('NXDOMAIN')
    expect(rcodeOf(ask(handler, 'db.service.consul', 'A'))).toBe('NXDOMAIN')
    expect(handler.misses()).toBe(1)
    cat.addNode({name: 'n', address: '10.0.0.1'})
    cat.addService({node: 'n', name: 'db', port: 5432})
    expect(rcodeOf(ask(handler, 'db.service.consul', 'A'))).toBe('NOERROR')
  })

  it('keys by type and name: different questions do not share answers', () => {
    const {handler} = makeHandler(populated(3))
    expect(answersOf(ask(handler, 'web.service.consul', 'SRV')).every((a) => a.type === 'SRV')).toBe(true)
    expect(answersOf(ask(handler, 'web.service.consul', 'A')).every((a) => a.type === 'A')).toBe(true)
    expect(answersOf(ask(handler, 'WEB.service.consul', 'A')).every((a) => a.name === 'WEB.service.consul')).toBe(true)
    expect(handler.cacheSize()).toBe(3)
  })

  it('is bounded', () => {
    const cat = populated(1)
    const handler = createDnsHandler({
      config: parseDnsConfig({}), catalog: cat, random: seededRandom(1), wallMs: () => 0, cacheMaxEntries: 16,
    })
    for (let i = 0; i < 100; i++) ask(handler, `svc${i}.service.consul`, 'A')
    expect(handler.cacheSize()).toBe(16)
    expect(answersOf(ask(handler, 'web.service.consul', 'A'))).toHaveLength(1)
  })

  it('SERVFAIL from an unreadable datacenter is not cached', () => {
    const cat = new FakeCatalog({knownDatacenters: ['dc1', 'dc2']})
    cat.unreadable.add('dc2')
    const {handler} = makeHandler(cat)
    expect(rcodeOf(ask(handler, 'web.service.dc2.consul', 'A'))).toBe('SERVFAIL')
    cat.unreadable.delete('dc2')
    expect(rcodeOf(ask(handler, 'web.service.dc2.consul', 'A'))).toBe('NXDOMAIN')
  })
})
