import {describe, expect, it} from 'vitest'
import {EntryType, MsgType, ProposalDroppedError} from '../../../src/agent/raft/core/index.js'
import {Network} from './network.js'

const enc = (s: string) => new TextEncoder().encode(s)

describe('raft core: proposals forwarded by a follower', () => {
  it('the follower sends them to the leader, which appends them and answers where they went', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.node('2').raw.forwardProposal([enc('a'), enc('b')], 'ctx-1')
    net.stabilize()
    const props = net.sent.filter((m) => m.type === MsgType.Prop)
    expect(props.map((m) => [m.from, m.to, m.term, m.context, m.entries?.length])).toEqual([['2', '1', net.status('1').term, 'ctx-1', 2]])
    const [answer] = net.node('2').proposals
    expect(answer).toEqual({context: 'ctx-1', index: expect.any(Number), term: net.status('1').term, rejected: false})
    // Where it said: the entries at index and index + 1, of that term, on every node.
    for (const id of ['1', '2', '3']) {
      const lines = net.node(id).applied
      expect(lines).toContain(`${answer!.index}:${answer!.term}:${EntryType.Normal}:a`)
      expect(lines).toContain(`${answer!.index + 1}:${answer!.term}:${EntryType.Normal}:b`)
    }
    net.assertAppliedPrefixes()
  })

  it('a duplicated MsgProp is appended once and answered once', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.node('2').raw.forwardProposal([enc('once')], 'ctx-dup')
    net.stabilize()
    const prop = net.sent.find((m) => m.type === MsgType.Prop)!
    const last = net.status('1').lastIndex
    net.node('1').raw.step({...prop})
    net.stabilize()
    expect(net.status('1').lastIndex).toBe(last)
    expect(net.appliedData('3')).toEqual(['once'])
    expect(net.node('2').proposals).toHaveLength(1)
  })

  it('a leader refusing a forwarded proposal (transfer in progress) answers with a rejection and appends nothing', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.ignore(MsgType.TimeoutNow)
    net.node('1').raw.transferLeadership('3')
    net.stabilize()
    const last = net.status('1').lastIndex
    net.node('2').raw.forwardProposal([enc('x')], 'ctx-2')
    net.stabilize()
    expect(net.node('2').proposals).toEqual([{context: 'ctx-2', index: 0, term: 0, rejected: true}])
    expect(net.status('1').lastIndex).toBe(last)
  })

  it('with no leader known the follower throws (nothing sent); a plain propose on a follower still throws', () => {
    const net = new Network(['1', '2', '3'])
    expect(() => net.node('2').raw.forwardProposal([enc('x')], 'c')).toThrow(ProposalDroppedError)
    net.campaign('1')
    expect(() => net.node('2').raw.propose(enc('x'))).toThrow(ProposalDroppedError)
    expect(net.sent.some((m) => m.type === MsgType.Prop)).toBe(false)
  })

  it('on a node that leads, forwardProposal appends at once and answers itself', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    const next = net.status('1').lastIndex + 1
    net.node('1').raw.forwardProposal([enc('self')], 'ctx-self')
    net.stabilize()
    expect(net.node('1').proposals).toEqual([{context: 'ctx-self', index: next, term: net.status('1').term, rejected: false}])
    expect(net.appliedData('3')).toEqual(['self'])
  })

  it('ignores a forwarded MsgProp from the network that is stale, has no context, or carries a membership change or an empty entry', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    const leader = net.node('1').raw
    const term = net.status('1').term
    const last = net.status('1').lastIndex
    const entry = (type: EntryType, data: string) => ({index: 0, term: 0, type, data: enc(data)})
    leader.step({type: MsgType.Prop, from: '2', to: '1', term, entries: [entry(EntryType.Normal, 'no-context')]})
    leader.step({type: MsgType.Prop, from: '2', to: '1', term, context: 'c', entries: [entry(EntryType.ConfChange, '{"type":"removeNode","node":"3"}')]})
    leader.step({type: MsgType.Prop, from: '2', to: '1', term, context: 'c', entries: [entry(EntryType.Normal, '')]})
    leader.step({type: MsgType.Prop, from: '2', to: '1', term, context: 'c', entries: []})
    leader.step({type: MsgType.Prop, from: '2', to: '1', term: term - 1, context: 'c', entries: [entry(EntryType.Normal, 'stale')]})
    net.stabilize()
    expect(net.status('1').lastIndex).toBe(last)
    expect(net.status('1').role).toBe('leader')
    // A follower does not relay another node's MsgProp.
    net.node('3').raw.step({type: MsgType.Prop, from: '2', to: '3', term, context: 'c', entries: [entry(EntryType.Normal, 'relay')]})
    net.stabilize()
    expect(net.status('1').lastIndex).toBe(last)
  })
})
