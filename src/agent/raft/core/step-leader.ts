import {ProposalDroppedError, RaftError, drop} from './errors.js'
import type {Progress} from './progress.js'
import {voteResult} from './quorum.js'
import type {Raft} from './raft.js'
import {
  bcastAppend,
  bcastHeartbeat,
  commitAndBroadcast,
  handleReadIndexNow,
  maybeSendAppend,
  respondReadIndex,
  sendAppend,
  sendTimeoutNow,
} from './replicate.js'
import type {Message} from './types.js'
import {EntryType, MsgType} from './types.js'

/**
 * Leader tick: heartbeats every heartbeatTicks; every electionTicks, the check-quorum
 * round (step down when no voter quorum answered since the last round) and the timeout of
 * a leadership transfer that did not happen.
 */
export function tickHeartbeat(r: Raft): void {
  r.heartbeatElapsed++
  r.electionElapsed++
  if (r.electionElapsed >= r.cfg.electionTicks) {
    r.electionElapsed = 0
    if (r.cfg.checkQuorum && !r.checkQuorumActive()) {
      r.becomeFollower(r.term, '')
      return
    }
    if (r.leadTransferee !== '') r.abortLeaderTransfer()
  }
  if (r.heartbeatElapsed >= r.cfg.heartbeatTicks) {
    r.heartbeatElapsed = 0
    bcastHeartbeat(r)
  }
}

export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case MsgType.Beat:
      bcastHeartbeat(r)
      return
    case MsgType.Prop:
      if (m.context === undefined) propose(r, m)
      else proposeForwarded(r, m)
      return
    case MsgType.ReadIndex:
      // Until this term's first commit we do not know the true commit index (§6.4).
      if (!r.committedEntryInCurrentTerm()) r.pendingReadIndex.push(m)
      else handleReadIndexNow(r, m)
      return
    case MsgType.TransferLeader:
      transferLeader(r, m)
      return
  }
  // Everything else concerns one peer's progress; unknown peers are ignored.
  const pr = r.prs.get(m.from)
  if (!pr) return
  switch (m.type) {
    case MsgType.AppResp:
      handleAppResp(r, m, pr)
      return
    case MsgType.HeartbeatResp:
      handleHeartbeatResp(r, m, pr)
      return
    case MsgType.SnapStatus:
      if (pr.state !== 'snapshot') return
      if (m.reject) pr.pendingSnapshot = 0
      pr.becomeProbe()
      // Wait for the follower's answer (or the next heartbeat) before probing again.
      pr.probeSent = true
      return
    case MsgType.Unreachable:
      // An optimistic stream to an unreachable peer is lost; go back to probing.
      if (pr.state === 'replicate') pr.becomeProbe()
      return
  }
}

function propose(r: Raft, m: Message): void {
  const ents = m.entries ?? []
  if (ents.length === 0) throw new RaftError('invariant', 'empty proposal')
  if (!r.prs.has(r.id)) throw new ProposalDroppedError('leader is no longer a member')
  if (r.leadTransferee !== '') throw new ProposalDroppedError(`leadership transfer to ${r.leadTransferee} in progress`)
  let index = r.log.lastIndex()
  for (const e of ents) {
    index++
    if (e.type !== EntryType.ConfChange) continue
    if (r.pendingConfIndex > r.log.applied) {
      throw new ProposalDroppedError(`conf change at ${r.pendingConfIndex} not applied yet (applied ${r.log.applied})`)
    }
    r.pendingConfIndex = index
  }
  r.appendEntry(ents)
  bcastAppend(r)
}

/** Forwarded proposal contexts a leader remembers (oldest forgotten first). */
const SEEN_PROPOSALS = 4096

/**
 * A proposal forwarded by a follower (or made to be forwarded here, by a node that has
 * since become leader): appended like our own, and answered with where its entries went,
 * so the proposer can tell its entries apart when it applies them. A refusal is answered
 * too (the proposer then knows nothing was appended); a local one throws as propose does.
 */
function proposeForwarded(r: Raft, m: Message): void {
  const context = m.context!
  if (m.term !== 0) {
    // A copy of a MsgProp seen before (a network may duplicate): appending it again would
    // apply the writes twice, and a second answer could contradict the first.
    if (r.seenProposals.has(context)) return
    r.seenProposals.add(context)
    if (r.seenProposals.size > SEEN_PROPOSALS) r.seenProposals.delete(r.seenProposals.values().next().value!)
  }
  const first = r.log.lastIndex() + 1
  try {
    propose(r, m)
  } catch (e) {
    if (m.term === 0 || !(e instanceof ProposalDroppedError)) throw e
    r.send({to: m.from, type: MsgType.PropResp, context, index: 0, reject: true})
    return
  }
  const result = {context, index: first, term: r.term, rejected: false}
  if (m.from === r.id) r.proposalResults.push(result)
  else r.send({to: m.from, type: MsgType.PropResp, context, index: first, logTerm: r.term})
}

function handleAppResp(r: Raft, m: Message, pr: Progress): void {
  pr.recentActive = true
  const index = m.index ?? 0
  if (m.reject) {
    // Fast backtrack: the follower told us the last index where its term is <= the probed
    // entry's term; skip our entries whose term is higher than the follower's there.
    let next = m.rejectHint ?? 0
    if ((m.logTerm ?? 0) > 0) next = r.log.findConflictByTerm(next, m.logTerm!).index
    if (pr.maybeDecrTo(index, next)) {
      if (pr.state === 'replicate') pr.becomeProbe()
      sendAppend(r, m.from)
    }
    return
  }
  const oldPaused = pr.isPaused()
  if (!pr.maybeUpdate(index)) return
  if (pr.state === 'probe') {
    pr.becomeReplicate()
  } else if (pr.state === 'snapshot' && pr.match + 1 >= r.log.firstIndex()) {
    // The follower caught up through the snapshot (or otherwise) to where our log starts.
    pr.becomeProbe()
    pr.becomeReplicate()
  } else if (pr.state === 'replicate') {
    pr.inflights.freeLE(index)
  }
  if (!commitAndBroadcast(r) && oldPaused) sendAppend(r, m.from)
  // Keep the pipeline full while flow control allows.
  while (maybeSendAppend(r, m.from, false)) {
    /* send until paused or caught up */
  }
  if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) sendTimeoutNow(r, m.from)
}

function handleHeartbeatResp(r: Raft, m: Message, pr: Progress): void {
  pr.recentActive = true
  if (m.stamp !== undefined && m.stamp > pr.ackedStamp) pr.ackedStamp = m.stamp
  pr.probeSent = false
  // A full window with a live peer: free one slot so replication can make progress.
  if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne()
  if (pr.match < r.log.lastIndex()) sendAppend(r, m.from)
  if (r.cfg.readOnly !== 'safe' || m.context === undefined) return
  const acks = r.readOnly.recvAck(m.from, m.context)
  if (!acks || voteResult(r.conf.voters, acks) !== 'won') return
  for (const rs of r.readOnly.advance(m.context)) respondReadIndex(r, rs)
}

/** MsgTransferLeader: m.from is the transferee (set by the local call or the forwarding follower). */
function transferLeader(r: Raft, m: Message): void {
  const to = m.from
  const pr = r.prs.get(to)
  if (!pr || !r.conf.voters.includes(to)) return drop(m, `${to} is not a voter`)
  if (r.leadTransferee !== '') {
    if (r.leadTransferee === to) return
    r.abortLeaderTransfer()
  }
  if (to === r.id) return
  // The transfer must finish within an election timeout (tickHeartbeat aborts it).
  r.electionElapsed = 0
  r.leadTransferee = to
  if (pr.match === r.log.lastIndex()) sendTimeoutNow(r, to)
  else sendAppend(r, to)
}
