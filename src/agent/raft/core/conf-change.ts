import {RaftError} from './errors.js'
import type {ConfChange, ConfState, Entry, NodeId, Snapshot} from './types.js'
import {EntryType} from './types.js'

/**
 * Membership as plain data. Changes are single-server (add a voter, add a learner, remove
 * a node); each one is a log entry of type ConfChange and takes effect on a node when the
 * driver applies that committed entry and calls RawNode.applyConfChange (etcd's rule:
 * effective at apply time, and the leader allows one unapplied change at a time).
 */

/** The ConfState of a group whose initial voters are `voters` (sorted, de-duplicated). */
export function bootstrapConfState(voters: NodeId[]): ConfState {
  if (voters.length === 0) throw new RaftError('invalid-conf-change', 'bootstrap needs at least one voter')
  return {voters: [...new Set(voters)].sort(), learners: []}
}

/** Index and term of the bootstrap snapshot every initial server installs. */
export const BOOTSTRAP_INDEX = 1
export const BOOTSTRAP_TERM = 1

/**
 * How a new group is seeded (the driver's job, done once, before the first RawNode of a
 * fresh data dir): every server of the initial group installs this same snapshot
 * (index 1, term 1, conf = the voters, empty FSM data) into its empty storage, e.g.
 * `storage.applySnapshot(bootstrapSnapshot(ids))`. Identical snapshots mean the logs
 * already match at index 1, as hashicorp/raft's BootstrapCluster does with its first
 * configuration entry. Servers that join later start with EMPTY storage (no conf, so
 * they never campaign) and receive the leader's snapshot or log once added with
 * proposeConfChange. The hard state may stay zero: the core raises its term to the
 * snapshot's term on load. Empty snapshot data means "empty FSM".
 */
export function bootstrapSnapshot(voters: NodeId[]): Snapshot {
  return {meta: {index: BOOTSTRAP_INDEX, term: BOOTSTRAP_TERM, conf: bootstrapConfState(voters)}, data: new Uint8Array(0)}
}

const TYPES = new Set(['addVoter', 'addLearner', 'removeNode'])

/** The payload of a ConfChange log entry (JSON, UTF-8). */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  checkConfChange(cc)
  const plain: ConfChange = {type: cc.type, node: cc.node}
  if (cc.context !== undefined) plain.context = cc.context
  return new TextEncoder().encode(JSON.stringify(plain))
}

/** Decodes a ConfChange entry's data; throws RaftError('invalid-conf-change') on garbage. */
export function decodeConfChange(data: Uint8Array): ConfChange {
  let v: unknown
  try {
    v = JSON.parse(new TextDecoder().decode(data))
  } catch {
    throw new RaftError('invalid-conf-change', 'conf change entry is not JSON')
  }
  checkConfChange(v as ConfChange)
  return v as ConfChange
}

/** Convenience for drivers: the ConfChange carried by a committed entry, if it is one. */
export function confChangeOf(e: Entry): ConfChange | undefined {
  return e.type === EntryType.ConfChange ? decodeConfChange(e.data) : undefined
}

function checkConfChange(cc: ConfChange): void {
  if (!cc || typeof cc !== 'object' || !TYPES.has(cc.type) || typeof cc.node !== 'string' || cc.node === '') {
    throw new RaftError('invalid-conf-change', `bad conf change ${JSON.stringify(cc)}`)
  }
  if (cc.context !== undefined && typeof cc.context !== 'string') throw new RaftError('invalid-conf-change', 'conf change context must be a string')
}

/**
 * The membership after `cc` (a new object; input untouched). Idempotent: applying the same
 * change twice gives the same result, so replaying changes on top of a conf that already
 * reflects some of them is harmless. Lists stay sorted for stable output.
 */
export function applyToConfState(cs: ConfState, cc: ConfChange): ConfState {
  checkConfChange(cc)
  const voters = cs.voters.filter((id) => id !== cc.node)
  const learners = cs.learners.filter((id) => id !== cc.node)
  if (cc.type === 'addVoter') voters.push(cc.node)
  else if (cc.type === 'addLearner') learners.push(cc.node)
  return {voters: voters.sort(), learners: learners.sort()}
}

export function cloneConfState(cs: ConfState): ConfState {
  return {voters: [...cs.voters], learners: [...cs.learners]}
}

export function isVoter(cs: ConfState, id: NodeId): boolean {
  return cs.voters.includes(id)
}

/** Voters then learners: everyone the leader replicates to. */
export function members(cs: ConfState): NodeId[] {
  return [...cs.voters, ...cs.learners]
}
