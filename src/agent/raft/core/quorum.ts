import type {NodeId} from './types.js'

/** Majority quorum maths over one voter set (no joint consensus: changes are single-server). */

export function majority(voters: number): number {
  return Math.floor(voters / 2) + 1
}

/**
 * The highest index acknowledged by a majority of voters (acked(id) = that voter's match;
 * undefined counts as 0). 0 for an empty voter set.
 */
export function committedIndex(voters: readonly NodeId[], acked: (id: NodeId) => number | undefined): number {
  if (voters.length === 0) return 0
  const matches = voters.map((id) => acked(id) ?? 0).sort((a, b) => b - a)
  return matches[majority(voters.length) - 1]!
}

export type VoteResult = 'won' | 'lost' | 'pending'

/** Outcome of an election (or ack round) given the answers so far; missing voters are pending. */
export function voteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'won'
  const need = majority(voters.length)
  let granted = 0
  let missing = 0
  for (const id of voters) {
    const v = votes.get(id)
    if (v === undefined) missing++
    else if (v) granted++
  }
  if (granted >= need) return 'won'
  if (granted + missing >= need) return 'pending'
  return 'lost'
}
