import {describe, expect, it} from 'vitest'
import {filterForQuery, filterHealth, filterTags, shuffle} from '../../../src/agent/server/prepared-query/filter.js'
import {normalizeQuery} from '../../../src/store/state/query-types.js'
import type {CheckServiceNode, HealthStatus} from '../../../src/store/state/types.js'

function inst(node: string, tags: string[], statuses: [string, HealthStatus][] = [], meta: {node?: Record<string, string>; svc?: Record<string, string>} = {}): CheckServiceNode {
  return {
    Node: {Node: node, Address: '10.0.0.1', Meta: meta.node ?? {}} as CheckServiceNode['Node'],
    Service: {ID: node, Service: 'web', Tags: tags, Meta: meta.svc ?? {}} as unknown as CheckServiceNode['Service'],
    Checks: statuses.map(([CheckID, Status]) => ({CheckID, Status}) as CheckServiceNode['Checks'][number]),
  }
}
const names = (xs: CheckServiceNode[]) => xs.map((x) => x.Node.Node)

describe('prepared query filters', () => {
  it('tags: all required present, none of the !negated, case-insensitive', () => {
    const nodes = [inst('a', ['Primary', 'v1']), inst('b', ['primary', 'canary']), inst('c', ['v1'])]
    expect(names(filterTags(nodes, ['primary']))).toEqual(['a', 'b'])
    expect(names(filterTags(nodes, ['PRIMARY', '!canary']))).toEqual(['a'])
    expect(names(filterTags(nodes, ['!v1']))).toEqual(['b'])
  })

  it('health: critical drops, OnlyPassing drops warning, IgnoreCheckIDs skips those checks', () => {
    const nodes = [inst('ok', [], [['s', 'passing']]), inst('warn', [], [['s', 'warning']]), inst('crit', [], [['flaky', 'critical'], ['s', 'passing']]), inst('maint', [], [['_node_maintenance', 'maintenance']])]
    expect(names(filterHealth(nodes, false, null))).toEqual(['ok', 'warn'])
    expect(names(filterHealth(nodes, true, null))).toEqual(['ok'])
    expect(names(filterHealth(nodes, false, ['flaky']))).toEqual(['ok', 'warn', 'crit'])
  })

  it('node and service metadata must all match', () => {
    const nodes = [inst('a', [], [], {node: {rack: 'r1'}, svc: {ver: '2'}}), inst('b', [], [], {node: {rack: 'r2'}, svc: {ver: '2'}}), inst('c', [], [], {node: {rack: 'r1'}})]
    expect(names(filterForQuery(nodes, normalizeQuery({Service: {Service: 'web', NodeMeta: {rack: 'r1'}}}).Service))).toEqual(['a', 'c'])
    expect(names(filterForQuery(nodes, normalizeQuery({Service: {Service: 'web', NodeMeta: {rack: 'r1'}, ServiceMeta: {ver: '2'}}}).Service))).toEqual(['a'])
  })

  it('shuffle is a permutation drawn from the injected source', () => {
    const out = shuffle([1, 2, 3, 4], (n) => n - 1)
    expect([...out].sort()).toEqual([1, 2, 3, 4])
    expect(shuffle([1, 2, 3, 4], () => 0)).toEqual([2, 3, 4, 1])
  })
})
