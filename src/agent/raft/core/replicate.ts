import {committedIndex, voteResult} from './quorum.js'
import type {ReadIndexRequest} from './read-only.js'
import type {Raft} from './raft.js'
import type {Message, NodeId} from './types.js'
import {MsgType, RaftStorageError} from './types.js'

/**
 * The leader's outbound machinery: log replication with flow control, snapshots for
 * followers behind the compaction point, heartbeats, commit advancement and ReadIndex
 * answers. Functions of a Raft in the leader role (callers guarantee it).
 */

/** Sends the next MsgApp to `to` if its progress allows, even an empty one (a probe). */
export function sendAppend(r: Raft, to: NodeId): void {
  maybeSendAppend(r, to, true)
}

/**
 * Sends entries from the peer's `next` (at most maxSizePerMsg), or a snapshot when they are
 * compacted away. Returns whether a message was sent; with sendIfEmpty=false nothing is
 * sent when there is nothing new (used to keep a pipeline full).
 */
export function maybeSendAppend(r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.prs.get(to)
  if (!pr || to === r.id || pr.isPaused()) return false
  const prevIndex = pr.next - 1
  let prevTerm: number
  let entries
  try {
    prevTerm = r.log.term(prevIndex)
    entries = r.log.entriesFrom(pr.next, r.cfg.maxSizePerMsg)
  } catch (e) {
    if (e instanceof RaftStorageError && e.kind === 'compacted') return sendSnapshot(r, to)
    throw e
  }
  if (entries.length === 0 && !sendIfEmpty) return false
  r.send({to, type: MsgType.App, index: prevIndex, logTerm: prevTerm, entries, commit: r.log.committed})
  pr.sentEntries(entries.length > 0 ? entries[entries.length - 1]!.index : undefined)
  return true
}

/**
 * MsgSnap with storage's latest snapshot. Only to a peer that answered recently (a dead peer
 * would just waste the transfer). The peer stays paused in 'snapshot' until it acknowledges
 * the snapshot's index or the driver reports the transfer (reportSnapshot).
 */
function sendSnapshot(r: Raft, to: NodeId): boolean {
  const pr = r.prs.get(to)!
  if (!pr.recentActive) return false
  let snap
  try {
    snap = r.log.snapshot()
  } catch (e) {
    if (e instanceof RaftStorageError && e.kind === 'snapshot-unavailable') return false
    throw e
  }
  if (snap.meta.index === 0) return false
  r.send({to, type: MsgType.Snap, snapshot: snap})
  pr.becomeSnapshot(snap.meta.index)
  return true
}

export function bcastAppend(r: Raft): void {
  for (const id of r.prs.keys()) if (id !== r.id) sendAppend(r, id)
}

/**
 * Heartbeats carry min(peer match, commit): a follower may only commit what it is known
 * to hold. `context` (the newest pending ReadIndex) is echoed back for read confirmation.
 */
export function bcastHeartbeat(r: Raft, context = r.readOnly.lastPendingContext()): void {
  for (const [id, pr] of r.prs) {
    if (id === r.id) continue
    const m = {to: id, type: MsgType.Heartbeat, commit: Math.min(pr.match, r.log.committed)}
    r.send(context === undefined ? m : {...m, context})
  }
}

/** Advances commit to the voter quorum's match if that entry is of the current term. */
export function maybeCommit(r: Raft): boolean {
  const mci = committedIndex(r.conf.voters, (id) => r.prs.get(id)?.match)
  return r.log.maybeCommit(mci, r.term)
}

/** maybeCommit, then tell followers and release reads that waited for this term's first commit. */
export function commitAndBroadcast(r: Raft): boolean {
  if (!maybeCommit(r)) return false
  releasePendingReadIndex(r)
  bcastAppend(r)
  return true
}

export function releasePendingReadIndex(r: Raft): void {
  if (r.pendingReadIndex.length === 0 || !r.committedEntryInCurrentTerm()) return
  const waiting = r.pendingReadIndex
  r.pendingReadIndex = []
  for (const m of waiting) handleReadIndexNow(r, m)
}

/**
 * ReadIndex on a leader that has committed in its term: the read index is the commit index
 * now. 'safe': confirm leadership with a heartbeat round echoed by a voter quorum (our own
 * ack counts, so a single voter answers at once). 'lease': trust the check-quorum lease.
 */
export function handleReadIndexNow(r: Raft, m: Message): void {
  const context = m.context ?? ''
  if (r.cfg.readOnly === 'lease') {
    respondReadIndex(r, {index: r.log.committed, from: m.from, context, acks: new Map()})
    return
  }
  r.readOnly.add(r.log.committed, m.from, context)
  const acks = r.readOnly.recvAck(r.id, context)
  if (acks && voteResult(r.conf.voters, acks) === 'won') {
    for (const rs of r.readOnly.advance(context)) respondReadIndex(r, rs)
    return
  }
  bcastHeartbeat(r, context)
}

/** A confirmed read: a ReadState for our own request, a MsgReadIndexResp for a follower's. */
export function respondReadIndex(r: Raft, rs: ReadIndexRequest): void {
  if (rs.from === '' || rs.from === r.id) r.readStates.push({index: rs.index, context: rs.context})
  else r.send({to: rs.from, type: MsgType.ReadIndexResp, index: rs.index, context: rs.context})
}

export function sendTimeoutNow(r: Raft, to: NodeId): void {
  // The transferee's campaign bypasses the others' stickiness: no lease for the rest of this term.
  r.leaseVoid = true
  r.send({to, type: MsgType.TimeoutNow})
}
