import type * as net from 'node:net'
import {describe, expect, it} from 'vitest'
import type {NodeId} from '../../../src/agent/raft/core/types.js'
import {TcpCluster, waitFor, type Member} from './harness.js'

const COMPACT = {snapshotThreshold: 8, trailingLogs: 2}
const CHUNK = 2048
const VALUE = 'x'.repeat(200)

/** Stops a follower, writes enough on the others that its next entries are compacted away. */
async function lagBehindCompaction(c: TcpCluster): Promise<{follower: NodeId; leader: Member}> {
  const first = await c.leader()
  await c.put('before', '1')
  await c.converged(['a', 'b', 'c'], 1)
  const follower = [...c.members.keys()].find((id) => id !== first.id)!
  await c.stopMember(follower)
  const live = [...c.members.keys()].filter((id) => id !== follower)
  for (let i = 0; i < 40; i++) await c.put(`k${i}`, VALUE + i, live)
  const leader = await c.leader(live)
  const lagging = c.get(follower).store.lastIndex()
  // The leader's log no longer holds what the follower needs next: only a snapshot helps.
  await waitFor('leader compacted past the follower', () => leader.store.firstIndex() > lagging + 1)
  return {follower, leader}
}

describe('snapshots over the TCP Raft transport', () => {
  it('brings a follower that lags behind log compaction up with a chunked snapshot', async () => {
    const c = await TcpCluster.start(COMPACT, () => ({snapshotChunkBytes: CHUNK, redialMaxMs: 300}))
    const {follower, leader} = await lagBehindCompaction(c)
    const back = await c.restartMember(follower)
    const restoresAtStart = back.fsm.restores
    await c.converged(['a', 'b', 'c'], 41)
    expect(back.fsm.map.get('k39')).toBe(VALUE + 39)
    expect(back.fsm.restores).toBeGreaterThan(restoresAtStart)
    const ls = leader.transport.stats()
    expect(ls.snapshotsSent).toBeGreaterThanOrEqual(1)
    // The snapshot (40 values of 200+ bytes) is several chunks of 2 KiB.
    expect(ls.snapshotChunksSent).toBeGreaterThan(1)
    expect(ls.snapshotBytesSent).toBeGreaterThan(40 * 200)
    const fs = back.transport.stats()
    expect(fs.snapshotsReceived).toBeGreaterThanOrEqual(1)
    expect(fs.snapshotChunksReceived).toBeGreaterThan(1)
  })

  it('a snapshot stream cut halfway leaves the follower as it was, and a retry succeeds', async () => {
    let cutting = true
    const hooks = {
      afterSnapshotChunk(_to: NodeId, chunk: number, socket: net.Socket) {
        if (cutting && chunk === 1) socket.destroy()
      },
    }
    const c = await TcpCluster.start(COMPACT, () => ({snapshotChunkBytes: CHUNK, redialMaxMs: 300, testHooks: hooks}))
    const {follower, leader} = await lagBehindCompaction(c)
    const back = await c.restartMember(follower)
    const before = JSON.stringify([...back.fsm.map].sort())
    const restoresAtStart = back.fsm.restores

    await waitFor('a cut transfer, discarded by the follower and failed at the leader', () =>
      back.transport.stats().snapshotsDiscarded >= 1 && leader.transport.stats().snapshotsFailed >= 1)
    expect(back.transport.stats().snapshotsReceived).toBe(0)
    expect(back.fsm.restores).toBe(restoresAtStart)
    expect(JSON.stringify([...back.fsm.map].sort())).toBe(before)
    expect(back.fsm.map.has('k39')).toBe(false)

    cutting = false
    await c.converged(['a', 'b', 'c'], 41)
    expect(back.fsm.map.get('k39')).toBe(VALUE + 39)
    expect(back.transport.stats().snapshotsReceived).toBeGreaterThanOrEqual(1)
    expect(leader.transport.stats().snapshotsSent).toBeGreaterThanOrEqual(1)
  })
})
