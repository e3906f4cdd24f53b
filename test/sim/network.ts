import type {SimWorld} from '../../src/agent/env/sim.js'
import type {Random} from '../../src/agent/env/types.js'
import type {Message, NodeId} from '../../src/agent/raft/core/types.js'
import type {RaftTransport} from '../../src/agent/raft/transport.js'

/** Fault knobs of the simulated network (drawn per seed, see params.ts). */
export interface NetParams {
  /** One-way delay = min + exponential(mean - min), times the link's factor. */
  delayMinMs: number
  delayMeanMs: number
  /** Probability a message is silently lost. */
  lossP: number
  /** Probability a message is delivered twice (the copy with its own delay). */
  dupP: number
  /** false: each link delivers in send order (TCP-like); true: delays reorder freely. */
  reorder: boolean
  /** Per-link delay factor drawn once per directed link in [1/spread, spread]. */
  linkSpread: number
  /** Probability a message is held up by an extra uniform [0, slowMaxMs) (a heavy tail: stale messages arrive late). */
  slowP: number
  slowMaxMs: number
}

export interface NetStats {
  sent: number
  delivered: number
  lost: number
  cut: number
  duplicated: number
}

/**
 * A deterministic in-memory network implementing RaftTransport: every delivery is an
 * event on the world heap owned by the receiver (so a paused node's inbox waits), all
 * randomness comes from one seeded stream, and messages are structured-cloned so
 * nodes never share objects. Links can be cut (one way or both), which drops
 * messages at delivery time and reports the peer unreachable to the sender.
 */
export class SimNetwork {
  private readonly handlers = new Map<NodeId, (m: Message) => void>()
  private readonly unreachable = new Map<NodeId, (to: NodeId) => void>()
  private readonly cuts = new Set<string>()
  private readonly factor = new Map<string, number>()
  private readonly lastAt = new Map<string, number>()
  private lossy = true
  /**
   * Latest delivery time of a message that belongs to the faults: sent during the faulty
   * phase (its delay may include the slow tail, and on a FIFO link it holds back what
   * follows) or a MsgTimeoutNow (a leadership transfer the nemesis started).
   */
  private faultyUntil = 0
  readonly stats: NetStats = {sent: 0, delivered: 0, lost: 0, cut: 0, duplicated: 0}
  /** Messages handed to the network, by Raft message type (coverage). */
  readonly sentByType = new Map<string, number>()

  constructor(
    private readonly world: SimWorld,
    private readonly rng: Random,
    private readonly params: NetParams,
  ) {}

  /** A transport for node `id`; a later connect of the same id (a restart) takes over its inbox. */
  connect(id: NodeId): RaftTransport {
    let open = true
    let handler: ((m: Message) => void) | undefined
    let onUnreachable: ((to: NodeId) => void) | undefined
    return {
      send: (msgs) => {
        if (open) for (const m of msgs) this.route(id, m)
      },
      onMessage: (h) => {
        if (!open) return
        handler = h
        this.handlers.set(id, h)
      },
      onUnreachable: (h) => {
        if (!open) return
        onUnreachable = h
        this.unreachable.set(id, h)
      },
      close: () => {
        open = false
        if (handler && this.handlers.get(id) === handler) this.handlers.delete(id)
        if (onUnreachable && this.unreachable.get(id) === onUnreachable) this.unreachable.delete(id)
      },
    }
  }

  // ---- faults ------------------------------------------------------------------------

  /** Drops traffic from → to (and back unless oneWay). */
  cut(from: NodeId, to: NodeId, oneWay = false): void {
    this.cuts.add(`${from}>${to}`)
    if (!oneWay) this.cuts.add(`${to}>${from}`)
  }

  /** Only links inside one group keep working. */
  partition(groups: NodeId[][]): void {
    for (const g of groups)
      for (const h of groups) {
        if (g === h) continue
        for (const a of g) for (const b of h) this.cuts.add(`${a}>${b}`)
      }
  }

  isolate(id: NodeId, all: NodeId[]): void {
    for (const other of all) if (other !== id) this.cut(id, other)
  }

  /** Heals every cut link, or only those `only(from, to)` selects (one datacenter's, or the WAN's). */
  heal(only?: (from: NodeId, to: NodeId) => boolean): void {
    if (!only) return this.cuts.clear()
    for (const link of [...this.cuts]) {
      const [from, to] = link.split('>') as [NodeId, NodeId]
      if (only(from, to)) this.cuts.delete(link)
    }
  }

  /** Turns random loss and duplication on or off (the liveness phase turns them off). */
  setLossy(on: boolean): void {
    this.lossy = on
  }

  /** Virtual ms by which every message belonging to the faults has arrived (or been dropped). */
  faultyInFlightUntil(): number {
    return this.faultyUntil
  }

  cutLinks(): string[] {
    return [...this.cuts].sort()
  }

  // ---- delivery ----------------------------------------------------------------------

  private route(from: NodeId, m: Message): void {
    this.stats.sent++
    this.sentByType.set(m.type, (this.sentByType.get(m.type) ?? 0) + 1)
    if (this.lossy && this.rng.float() < this.params.lossP) {
      this.stats.lost++
      return
    }
    this.deliverLater(from, m)
    if (this.lossy && this.rng.float() < this.params.dupP) {
      this.stats.duplicated++
      this.deliverLater(from, m)
    }
  }

  /**
   * Carries one opaque message (an RPC request or reply) from → to with this network's
   * delay and cuts: `deliver` runs on the receiver's turn, or `lost` on the sender's when
   * the message was dropped ('loss': random loss, modelled as a reset connection; 'cut':
   * the link was cut when it arrived). Never duplicated (a stream does not duplicate).
   */
  carry(from: string, to: string, label: string, on: {deliver(): void; lost(why: 'loss' | 'cut'): void}): void {
    this.stats.sent++
    this.sentByType.set(label, (this.sentByType.get(label) ?? 0) + 1)
    const link = `${from}>${to}`
    let delay = this.delay(link)
    if (!this.params.reorder) {
      const at = Math.max(this.world.nowMs() + delay, this.lastAt.get(link) ?? 0)
      this.lastAt.set(link, at)
      delay = at - this.world.nowMs()
    }
    if (this.lossy) this.faultyUntil = Math.max(this.faultyUntil, this.world.nowMs() + delay)
    if (this.lossy && this.rng.float() < this.params.lossP) {
      this.stats.lost++
      this.world.schedule(from, delay, () => on.lost('loss'), `lost:${label}`)
      return
    }
    this.world.schedule(to, delay, () => {
      if (this.cuts.has(link)) {
        this.stats.cut++
        this.world.schedule(from, 0, () => on.lost('cut'), `cut:${label}`)
        return
      }
      this.stats.delivered++
      on.deliver()
    }, label)
  }

  /** Whether from → to is cut right now. */
  isCut(from: string, to: string): boolean {
    return this.cuts.has(`${from}>${to}`)
  }

  private deliverLater(from: NodeId, m: Message): void {
    const link = `${from}>${m.to}`
    const copy = structuredClone(m)
    let delay = this.delay(link)
    if (!this.params.reorder) {
      // FIFO per link: never deliver before the previous message on this link.
      const at = Math.max(this.world.nowMs() + delay, this.lastAt.get(link) ?? 0)
      this.lastAt.set(link, at)
      delay = at - this.world.nowMs()
    }
    if (this.lossy || m.type === 'MsgTimeoutNow') this.faultyUntil = Math.max(this.faultyUntil, this.world.nowMs() + delay)
    this.world.schedule(m.to, delay, () => {
      const handler = this.handlers.get(m.to)
      if (this.cuts.has(link) || !handler) {
        this.stats.cut++
        // Like a refused connection: the sender learns it (on its own turn).
        this.world.schedule(from, 0, () => this.unreachable.get(from)?.(m.to), 'unreachable')
        return
      }
      this.stats.delivered++
      handler(copy)
    }, `msg:${m.type}:${from}`)
  }

  private delay(link: string): number {
    let f = this.factor.get(link)
    if (f === undefined) {
      const s = this.params.linkSpread
      f = Math.exp((this.rng.float() * 2 - 1) * Math.log(s))
      this.factor.set(link, f)
    }
    const {delayMinMs: min, delayMeanMs: mean} = this.params
    const extra = -Math.log(1 - this.rng.float()) * Math.max(0, mean - min)
    const slow = this.lossy && this.rng.float() < this.params.slowP ? this.rng.float() * this.params.slowMaxMs : 0
    return (min + extra) * f + slow
  }
}
