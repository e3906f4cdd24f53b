import {invariant} from './errors.js'

/**
 * How the leader replicates to one peer (etcd's tracker.Progress):
 * - 'probe': we do not know where the follower's log matches ours; send one MsgApp per
 *   heartbeat interval (probeSent pauses further sends) and back off on rejection.
 * - 'replicate': steady state; stream MsgApps optimistically, bounded by inflights.
 * - 'snapshot': a snapshot is on its way; send nothing until it is acknowledged or fails.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot'

/**
 * Last indexes of the MsgApps sent to one follower and not yet acknowledged, oldest first.
 * Bounds pipelining to `capacity` messages.
 */
export class Inflights {
  private items: number[] = []

  constructor(readonly capacity: number) {}

  get count(): number {
    return this.items.length
  }

  full(): boolean {
    return this.items.length >= this.capacity
  }

  add(lastIndex: number): void {
    invariant(!this.full(), 'inflights: add while full')
    this.items.push(lastIndex)
  }

  /** Frees every message whose last index is <= index (acknowledged by an AppResp). */
  freeLE(index: number): void {
    let n = 0
    while (n < this.items.length && this.items[n]! <= index) n++
    if (n > 0) this.items = this.items.slice(n)
  }

  freeFirstOne(): void {
    this.items = this.items.slice(1)
  }

  reset(): void {
    this.items = []
  }
}

export class Progress {
  /** Highest index known to match the leader's log. */
  match: number
  /** Next index to send. match < next always. */
  next: number
  state: ProgressState = 'probe'
  /** While in 'snapshot': the index of the snapshot sent. */
  pendingSnapshot = 0
  /** Heard from since the last check-quorum round (the leader counts itself active). */
  recentActive = false
  /** In 'probe': a MsgApp is outstanding, wait for its answer or the next heartbeat response. */
  probeSent = false
  /** Highest heartbeat stamp this peer echoed in the current term (-1: none). */
  ackedStamp = -1
  readonly inflights: Inflights

  constructor(next: number, maxInflight: number, match = 0) {
    this.next = next
    this.match = match
    this.inflights = new Inflights(maxInflight)
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false
    this.pendingSnapshot = 0
    this.state = state
    this.inflights.reset()
  }

  becomeProbe(): void {
    // After a snapshot, probing resumes just past the snapshot we know was sent.
    const floor = this.state === 'snapshot' ? this.pendingSnapshot : 0
    this.resetState('probe')
    this.next = Math.max(this.match + 1, floor + 1)
  }

  becomeReplicate(): void {
    this.resetState('replicate')
    this.next = this.match + 1
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot')
    this.pendingSnapshot = snapshotIndex
    this.next = snapshotIndex + 1
  }

  /** An AppResp acknowledged n. Returns whether match moved (stale acks return false). */
  maybeUpdate(n: number): boolean {
    let updated = false
    if (this.match < n) {
      this.match = n
      updated = true
      this.probeSent = false
    }
    this.next = Math.max(this.next, n + 1)
    return updated
  }

  /**
   * A MsgApp with prevIndex `rejected` was rejected; matchHint is the follower's hint of
   * where the logs may match. Returns false when the rejection is stale (we already moved
   * past it).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false
      this.next = this.match + 1
      return true
    }
    // Probe (or snapshot): only the answer to the probe we sent counts.
    if (this.next - 1 !== rejected) return false
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1)
    this.probeSent = false
    return true
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent
      case 'replicate':
        return this.inflights.full()
      case 'snapshot':
        return true
    }
  }

  /** Records a MsgApp just sent whose last entry is lastIndex (undefined: no entries). */
  sentEntries(lastIndex: number | undefined): void {
    if (this.state === 'replicate') {
      if (lastIndex !== undefined) {
        this.next = lastIndex + 1
        this.inflights.add(lastIndex)
      }
    } else if (this.state === 'probe') {
      this.probeSent = true
    }
  }
}
