import type {NodeId} from './types.js'

/** One ReadIndex request waiting for a heartbeat quorum to confirm leadership. */
export interface ReadIndexRequest {
  /** The commit index when the request reached the leader: the read must observe it. */
  index: number
  /** Requester: the leader itself, or a follower that forwarded its request. */
  from: NodeId
  context: string
  acks: Map<NodeId, boolean>
}

/**
 * The leader's queue of ReadIndex requests (etcd's readOnly, safe mode). Each request's
 * context rides on the next heartbeat round; once a voter quorum echoes it, that request
 * and every older one are confirmed (a later confirmation covers earlier requests).
 * Contexts must be unique per outstanding request; a duplicate is ignored.
 */
export class ReadOnly {
  private readonly pending = new Map<string, ReadIndexRequest>()
  private queue: string[] = []

  add(index: number, from: NodeId, context: string): void {
    if (this.pending.has(context)) return
    this.pending.set(context, {index, from, context, acks: new Map()})
    this.queue.push(context)
  }

  /** Records that `id` echoed `context`; returns the acks so far, or undefined if unknown. */
  recvAck(id: NodeId, context: string): ReadonlyMap<NodeId, boolean> | undefined {
    const rs = this.pending.get(context)
    if (!rs) return undefined
    rs.acks.set(id, true)
    return rs.acks
  }

  /** Removes and returns every request up to and including `context`, oldest first. */
  advance(context: string): ReadIndexRequest[] {
    const at = this.queue.indexOf(context)
    if (at < 0) return []
    const done = this.queue.slice(0, at + 1)
    this.queue = this.queue.slice(at + 1)
    return done.map((c) => {
      const rs = this.pending.get(c)!
      this.pending.delete(c)
      return rs
    })
  }

  /** Context of the newest request: heartbeats carry it so one round confirms all. */
  lastPendingContext(): string | undefined {
    return this.queue[this.queue.length - 1]
  }

  get size(): number {
    return this.queue.length
  }
}
