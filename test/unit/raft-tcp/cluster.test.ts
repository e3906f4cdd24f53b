import {describe, expect, it} from 'vitest'
import {TcpCluster, waitFor} from './harness.js'

describe('three RaftNodes over the TCP Raft transport', () => {
  it('elects a leader and replicates proposals to every server', async () => {
    const c = await TcpCluster.start()
    const leader = await c.leader()
    for (let i = 0; i < 20; i++) await c.put(`k${i}`, `v${i}`)
    await c.converged(['a', 'b', 'c'], 20)
    for (const m of c.members.values()) expect(m.fsm.map.get('k19')).toBe('v19')
    // It really went over sockets: the leader dialed both followers and they received.
    const ls = leader.transport.stats()
    expect(ls.connsOut).toBe(2)
    expect(ls.msgsSent).toBeGreaterThan(20)
    for (const m of c.members.values()) {
      if (m === leader) continue
      expect(m.transport.stats().msgsReceived).toBeGreaterThan(20)
      expect(m.transport.stats().framesRejected).toBe(0)
    }
  })

  it('a follower that is stopped and restarted catches up', async () => {
    const c = await TcpCluster.start()
    const leader = await c.leader()
    await c.put('before', '1')
    await c.converged(['a', 'b', 'c'], 1)
    const follower = [...c.members.values()].find((m) => m !== leader)!.id
    await c.stopMember(follower)
    const live = [...c.members.keys()].filter((id) => id !== follower)
    for (let i = 0; i < 10; i++) await c.put(`while-down-${i}`, String(i), live)
    // The leader noticed: the connection was lost or redials failed, and messages were dropped.
    await waitFor('leader sees the follower unreachable', () => {
      const s = c.get(live.find((id) => c.get(id).node.isLeader())!).transport.stats()
      return s.connsLost + s.dialFailures > 0 && s.unreachableReports > 0
    })
    expect(c.get(follower).fsm.map.has('while-down-9')).toBe(false)

    const back = await c.restartMember(follower)
    await c.converged(['a', 'b', 'c'], 11)
    expect(back.fsm.map.get('while-down-9')).toBe('9')
    expect(back.transport.stats().msgsReceived).toBeGreaterThan(0)
  })
})
