import {describe, expect, it} from 'vitest'
import {MsgType, ProposalDroppedError} from '../../../src/agent/raft/core/index.js'
import {Network} from './network.js'

describe('raft core: ReadIndex', () => {
  it('a single-voter leader answers at once with its commit index', () => {
    const net = new Network(['1'])
    net.campaign('1')
    net.propose('1', 'a')
    net.node('1').raw.readIndex('r1')
    net.stabilize()
    expect(net.node('1').readStates).toEqual([{index: 3, context: 'r1'}])
  })

  it('a new leader answers only after committing an entry of its term', () => {
    const net = new Network(['1'])
    const n = net.node('1')
    n.raw.campaign()
    // Persist the vote; the self-vote is counted in advance() → leader, no-op not committed yet.
    net.processReady('1')
    expect(n.raw.status().role).toBe('leader')
    expect(n.raw.status().commit).toBe(1)
    n.raw.readIndex('early')
    net.processReady('1')
    expect(n.readStates).toEqual([])
    net.stabilize()
    expect(n.readStates).toEqual([{index: 2, context: 'early'}])
  })

  it('on 3 nodes the leader confirms with a heartbeat quorum round', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.propose('1', 'a')
    const before = net.sent.length
    net.node('1').raw.readIndex('ctx-1')
    net.stabilize()
    expect(net.node('1').readStates).toEqual([{index: 3, context: 'ctx-1'}])
    const beats = net.sent.slice(before).filter((m) => m.type === MsgType.Heartbeat)
    expect(beats.every((m) => m.context === 'ctx-1')).toBe(true)
    expect(beats).toHaveLength(2)
  })

  it('without a quorum of acknowledgements there is no answer', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.ignore(MsgType.HeartbeatResp)
    net.node('1').raw.readIndex('x')
    net.stabilize()
    expect(net.node('1').readStates).toEqual([])
    // One follower answering is enough (leader + 1 of 3).
    net.recover()
    net.drop('3', '1', 1)
    net.tick(1)
    expect(net.node('1').readStates).toEqual([{index: 2, context: 'x'}])
  })

  it('a deposed leader that does not know it yet cannot serve a stale read', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.propose('1', 'a')
    net.isolate('1')
    net.tick(30, ['2', '3'])
    const lead = net.leaders().find((id) => id !== '1')!
    net.propose(lead, 'b')
    net.node('1').raw.readIndex('stale?')
    net.tick(3, ['1'])
    expect(net.node('1').readStates).toEqual([])
    net.recover()
    net.tick(3)
    expect(net.node('1').readStates).toEqual([])
    expect(net.status('1').role).toBe('follower')
  })

  it('a follower forwards to the leader and gets the leader commit index back', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.propose('1', 'a')
    net.node('2').raw.readIndex('f')
    net.stabilize()
    expect(net.node('2').readStates).toEqual([{index: 3, context: 'f'}])
    expect(net.node('1').readStates).toEqual([])
  })

  it('several pending reads are confirmed by one round', () => {
    const net = new Network(['1', '2', '3'])
    net.campaign('1')
    net.ignore(MsgType.HeartbeatResp)
    net.node('1').raw.readIndex('a')
    net.stabilize()
    net.propose('1', 'w')
    net.node('1').raw.readIndex('b')
    net.stabilize()
    net.recover()
    net.tick(1)
    expect(net.node('1').readStates).toEqual([
      {index: 2, context: 'a'},
      {index: 3, context: 'b'},
    ])
  })

  it('without a known leader readIndex throws ProposalDroppedError', () => {
    const net = new Network(['1', '2', '3'])
    expect(() => net.node('1').raw.readIndex('x')).toThrow(ProposalDroppedError)
  })

  it("readOnly 'lease' answers from the leader lease without a heartbeat round", () => {
    const net = new Network(['1', '2', '3'], {readOnly: 'lease'})
    net.campaign('1')
    net.ignore(MsgType.HeartbeatResp)
    net.node('1').raw.readIndex('l')
    net.stabilize()
    expect(net.node('1').readStates).toEqual([{index: 2, context: 'l'}])
  })
})
