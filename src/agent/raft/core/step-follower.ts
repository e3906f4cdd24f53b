import {drop} from './errors.js'
import type {Raft} from './raft.js'
import {bcastAppend} from './replicate.js'
import type {Message} from './types.js'
import {MsgType} from './types.js'

/**
 * Follower, pre-candidate and candidate behaviour: the roles that wait for a leader and
 * start elections when none is heard from.
 */

/** Follower/candidate tick: campaign after a randomized election timeout without a leader. */
export function tickElection(r: Raft): void {
  r.electionElapsed++
  if (r.promotable() && r.electionElapsed >= r.randomizedElectionTimeout) {
    r.electionElapsed = 0
    r.step({type: MsgType.Hup, from: r.id, to: r.id, term: 0})
  }
}

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case MsgType.Prop:
      // Only proposals made to be forwarded (they carry a context) go on to the leader.
      if (r.lead === '' || m.context === undefined || m.term !== 0) return drop(m, r.lead === '' ? 'no leader' : `not the leader (leader is ${r.lead})`)
      r.forward(m, r.lead)
      return
    case MsgType.App:
      r.electionElapsed = 0
      r.lead = m.from
      handleAppendEntries(r, m)
      return
    case MsgType.Heartbeat:
      r.electionElapsed = 0
      r.lead = m.from
      handleHeartbeat(r, m)
      return
    case MsgType.Snap:
      r.electionElapsed = 0
      r.lead = m.from
      handleSnapshot(r, m)
      return
    case MsgType.TransferLeader:
      if (r.lead === '') return drop(m, 'no leader to transfer leadership from')
      r.forward(m, r.lead)
      return
    case MsgType.TimeoutNow:
      // The leader chose us: campaign now, skipping pre-vote and the others' lease.
      r.hup('transfer')
      return
    case MsgType.ReadIndex:
      if (r.lead === '') return drop(m, 'no leader to confirm a read')
      r.forward(m, r.lead)
      return
    case MsgType.ReadIndexResp:
      r.readStates.push({index: m.index ?? 0, context: m.context ?? ''})
      return
  }
}

export function stepCandidate(r: Raft, m: Message): void {
  const pre = r.role === 'precandidate'
  switch (m.type) {
    case MsgType.Prop:
    case MsgType.ReadIndex:
    case MsgType.TransferLeader:
      return drop(m, 'no leader (election in progress)')
    case MsgType.App:
      r.becomeFollower(m.term, m.from)
      handleAppendEntries(r, m)
      return
    case MsgType.Heartbeat:
      r.becomeFollower(m.term, m.from)
      handleHeartbeat(r, m)
      return
    case MsgType.Snap:
      r.becomeFollower(m.term, m.from)
      handleSnapshot(r, m)
      return
    case MsgType.PreVoteResp:
    case MsgType.VoteResp: {
      if (pre !== (m.type === MsgType.PreVoteResp)) return
      // A granted pre-vote must be for the term we are pre-campaigning for (not a stale round).
      if (pre && !m.reject && m.term !== r.term + 1) return
      const res = r.poll(m.from, !m.reject)
      if (res === 'won') {
        if (pre) {
          r.campaign('election')
        } else {
          r.becomeLeader()
          bcastAppend(r)
        }
      } else if (res === 'lost') {
        // A rejection at a higher term already made us follower in step(); here the term stays.
        r.becomeFollower(r.term, '')
      }
      return
    }
  }
}

/** MsgApp: the log-matching check, conflict repair, and commit up to what we verified. */
function handleAppendEntries(r: Raft, m: Message): void {
  const index = m.index ?? 0
  if (index < r.log.committed) {
    // Old or duplicate: everything up to our commit matches the leader anyway.
    r.send({to: m.from, type: MsgType.AppResp, index: r.log.committed})
    return
  }
  const last = r.log.maybeAppend(index, m.logTerm ?? 0, m.commit ?? 0, m.entries ?? [])
  if (last !== undefined) {
    r.send({to: m.from, type: MsgType.AppResp, index: last})
    return
  }
  // Reject with a hint: the last index <= the probed one whose term is <= the probed term.
  // The leader can then skip every entry of a term we do not share in one round trip.
  const hint = r.log.findConflictByTerm(Math.min(index, r.log.lastIndex()), m.logTerm ?? 0)
  r.send({to: m.from, type: MsgType.AppResp, index, reject: true, rejectHint: hint.index, logTerm: hint.term})
}

function handleHeartbeat(r: Raft, m: Message): void {
  r.log.commitTo(m.commit ?? 0)
  const resp: {to: string; type: MsgType; context?: string; stamp?: number} = {to: m.from, type: MsgType.HeartbeatResp}
  if (m.context !== undefined) resp.context = m.context
  if (m.stamp !== undefined) resp.stamp = m.stamp
  r.send(resp)
}

/** MsgSnap: install it (answer with its index) or say how far we are (answer with commit). */
function handleSnapshot(r: Raft, m: Message): void {
  if (!m.snapshot) return
  if (r.restore(m.snapshot)) r.send({to: m.from, type: MsgType.AppResp, index: r.log.lastIndex()})
  else r.send({to: m.from, type: MsgType.AppResp, index: r.log.committed})
}
