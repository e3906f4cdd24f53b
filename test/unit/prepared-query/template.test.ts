import {describe, expect, it} from 'vitest'
import {TemplateError, compileTemplate, renderTemplate} from '../../../src/store/state/query-template.js'
import {normalizeQuery} from '../../../src/store/state/query-types.js'

const src = {Datacenter: 'dc1', Segment: 'seg-a', Node: 'n1', Ip: ''}

describe('prepared query templates', () => {
  it('interpolates name.full, name.prefix, name.suffix and agent.segment into every string of Service', () => {
    const q = normalizeQuery({
      Name: 'geo-', Template: {Type: 'name_prefix_match'},
      Service: {Service: '${name.suffix}', Tags: ['${name.full}', 'p-${name.prefix}'], Near: '${agent.segment}', NodeMeta: {k: 'v-${name.suffix}'}, Failover: {Datacenters: ['dc-${name.suffix}']}},
    })
    const out = renderTemplate(compileTemplate(q), 'geo-db', src)
    expect(out.Service.Service).toBe('db')
    expect(out.Service.Tags).toEqual(['geo-db', 'p-geo-'])
    expect(out.Service.Near).toBe('seg-a')
    expect(out.Service.NodeMeta).toEqual({k: 'v-db'})
    expect(out.Service.Failover.Datacenters).toEqual(['dc-db'])
    // The prototype is untouched: a second render starts from the template again.
    expect(renderTemplate(compileTemplate(q), 'geo-web', src).Service.Service).toBe('web')
  })

  it('match(N) reads regexp groups (Go named-group syntax too); out of range and no match give ""', () => {
    const q = normalizeQuery({
      Name: '', Template: {Type: 'name_prefix_match', Regexp: '^(?P<svc>[a-z]+)-(v[0-9]+)$'},
      Service: {Service: '${match(1)}', Tags: ['${match(2)}', '${match(7)}']},
    })
    const ct = compileTemplate(q)
    expect(renderTemplate(ct, 'web-v2', src).Service).toMatchObject({Service: 'web', Tags: ['v2', '']})
    expect(renderTemplate(ct, 'nomatch', src).Service).toMatchObject({Service: '', Tags: ['', '']})
  })

  it('RemoveEmptyTags drops tags that rendered empty', () => {
    const q = normalizeQuery({
      Name: 'x', Template: {Type: 'name_prefix_match', Regexp: '^x-([a-z]*)-?(.*)$', RemoveEmptyTags: true},
      Service: {Service: 'web', Tags: ['${match(1)}', '${match(2)}']},
    })
    expect(renderTemplate(compileTemplate(q), 'x-blue', src).Service.Tags).toEqual(['blue'])
  })

  it('$${ is a literal ${', () => {
    const q = normalizeQuery({Name: 'l', Template: {Type: 'name_prefix_match'}, Service: {Service: 'a$${b}'}})
    expect(renderTemplate(compileTemplate(q), 'l', src).Service.Service).toBe('a${b}')
  })

  it('refuses what Consul refuses, with its messages', () => {
    const bad = (over: Parameters<typeof normalizeQuery>[0]) => () => compileTemplate(normalizeQuery({Name: 'p', Template: {Type: 'name_prefix_match'}, Service: {Service: 's'}, ...over}))
    expect(bad({Template: {Type: 'prefix'}})).toThrow("Bad Template.Type 'prefix'")
    expect(bad({Template: {Type: 'name_prefix_match', Regexp: '('}})).toThrow(/^Bad Regexp: error parsing regexp: /)
    expect(bad({Service: {Service: '${name.full'}})).toThrow(/^Bad format '\$\{name\.full' in Service\.Service: /)
    expect(bad({Service: {Service: 's', Tags: ['${nope}']}})).toThrow("Bad evaluation for '${nope}' in Service.Tags[0]: 1:3: unknown variable accessed: nope")
    expect(bad({Service: {Service: '${foo(1)}'}})).toThrow(TemplateError)
  })
})
