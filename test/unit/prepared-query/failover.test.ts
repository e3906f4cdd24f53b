import {describe, expect, it} from 'vitest'
import {failoverOrder, localOnlyFailover, queryFailover, type ExecuteResult, type FailoverPort} from '../../../src/agent/server/prepared-query/failover.js'
import {normalizeQuery} from '../../../src/store/state/query-types.js'
import type {CheckServiceNode} from '../../../src/store/state/types.js'

const q = (NearestN: number, Datacenters: string[] | null) => normalizeQuery({Name: 'q', Service: {Service: 'web', Failover: {NearestN, Datacenters}}})
const local: ExecuteResult = {Service: 'web', Nodes: [], DNS: {TTL: '10s'}, Datacenter: 'dc1', Failovers: 0}
const node = (name: string) => ({Node: {Node: name}}) as CheckServiceNode

/** A fake WAN: each DC's answer (or an error), and the calls it saw. */
function fakePort(dcs: string[], answers: Record<string, CheckServiceNode[] | Error>): FailoverPort & {calls: string[]} {
  const calls: string[] = []
  return {
    calls,
    datacenters: async () => dcs,
    execute: async (dc, req) => {
      calls.push(dc)
      expect(req.Query.Service.Service).toBe('web')
      const a = answers[dc]
      if (a instanceof Error) throw a
      return {Service: 'web', Nodes: a ?? [], DNS: req.Query.DNS, Datacenter: dc, Failovers: 0}
    },
  }
}

describe('prepared query failover', () => {
  it('orders the NearestN nearest first, then listed DCs not yet chosen, skipping unknown ones', () => {
    const others = ['dc2', 'dc3', 'dc4']
    expect(failoverOrder(q(2, null), others)).toEqual(['dc2', 'dc3'])
    expect(failoverOrder(q(1, ['dc4', 'dc2', 'dc9']), others)).toEqual(['dc2', 'dc4'])
    expect(failoverOrder(q(0, ['dc3', 'dc3']), others)).toEqual(['dc3'])
    expect(failoverOrder(q(0, null), others)).toEqual([])
  })

  it('stops at the first datacenter with nodes and counts every datacenter tried', async () => {
    const port = fakePort(['dc1', 'dc2', 'dc3', 'dc4'], {dc2: [], dc3: [node('x')], dc4: [node('y')]})
    const r = await queryFailover(port, 'dc1', q(3, null), {Limit: 0, Connect: false}, local)
    expect(port.calls).toEqual(['dc2', 'dc3'])
    expect(r).toMatchObject({Datacenter: 'dc3', Failovers: 2, Nodes: [{Node: {Node: 'x'}}]})
  })

  it('a failing datacenter is skipped, and the next one tried', async () => {
    const errors: string[] = []
    const port = fakePort(['dc2', 'dc3'], {dc2: new Error('rpc error'), dc3: [node('z')]})
    const r = await queryFailover(port, 'dc1', q(0, ['dc2', 'dc3']), {Limit: 1, Connect: false}, local, (dc) => errors.push(dc))
    expect(errors).toEqual(['dc2'])
    expect(r).toMatchObject({Datacenter: 'dc3', Failovers: 2})
  })

  it('when no datacenter has nodes the reply is empty, with the count of tries', async () => {
    const r = await queryFailover(fakePort(['dc2'], {dc2: []}), 'dc1', q(5, null), {Limit: 0, Connect: false}, local)
    expect(r.Nodes).toEqual([])
    expect(r.Failovers).toBe(1)
  })

  it('the local-only port knows no other datacenter: nothing is tried', async () => {
    const r = await queryFailover(localOnlyFailover('dc1'), 'dc1', q(3, ['dc2']), {Limit: 0, Connect: false}, local)
    expect(r).toMatchObject({Datacenter: 'dc1', Failovers: 0, Nodes: []})
  })
})
