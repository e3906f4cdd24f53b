import type {SimWorld} from '../../src/agent/env/sim.js'
import type {Random, TimerHandle} from '../../src/agent/env/types.js'
import type {SimCluster} from './cluster.js'
import type {SimNetwork} from './network.js'
import type {SimParams} from './params.js'

/** What the nemesis acts on: SimCluster (Raft nodes) or test/sim/servers' ServerCluster (whole servers). */
export interface NemesisTarget {
  readonly ids: string[]
  readonly net: Pick<SimNetwork, 'partition' | 'isolate' | 'cut' | 'heal'>
  /** The up, unpaused leader, if any. */
  leader(): {id: string; node: {transferLeadership(to: string): void}} | undefined
  up(): {id: string}[]
  crash(id: string): void
  restart(id: string): void
  pause(id: string): void
  resume(id: string): void
}

/** The nemesis's own tools, for fault kinds a caller adds (see Nemesis's `extra`). */
export interface NemesisTools {
  rng: Random
  /** Runs fn after a random fault duration, unless the nemesis stopped first. */
  later(fn: () => void): void
  note(what: string): void
  shuffle<T>(xs: readonly T[]): T[]
  /** Heals the network and notes it. */
  heal(): void
}

/**
 * Injects the seed's enabled fault kinds at random intervals during the safety phase;
 * each fault undoes itself after a random duration (a leadership transfer is a one-off). Partitions are global network
 * state, so undoing one heals every cut (overlapping faults just end together).
 */
export class Nemesis {
  /** Human-readable record of every action, printed with a failing seed. */
  readonly log: string[] = []
  private next: TimerHandle | undefined
  private readonly undo = new Set<TimerHandle>()
  private running = false
  /** Virtual ms of the last leadership transfer the nemesis started (-1: none). */
  lastTransferAtMs = -1

  constructor(
    private readonly world: SimWorld,
    private readonly cluster: SimCluster | NemesisTarget,
    private readonly params: Pick<SimParams, 'faultEveryMs' | 'faultMaxMs'> & {faults: readonly string[]},
    private readonly rng: Random,
    /** Fault kinds beyond the built-in ones: return true when `kind` was handled. */
    private readonly extra?: (kind: string, tools: NemesisTools) => boolean,
  ) {}

  start(): void {
    if (this.params.faults.length === 0) return
    this.running = true
    this.arm()
  }

  /** Stops injecting, then heals the network, resumes paused nodes and restarts crashed ones. */
  stopAndHeal(): void {
    this.running = false
    this.next?.cancel()
    for (const h of this.undo) h.cancel()
    this.undo.clear()
    this.cluster.net.heal()
    for (const id of this.cluster.ids) this.cluster.resume(id)
    for (const id of this.cluster.ids) this.cluster.restart(id)
    this.note('heal all')
  }

  private arm(): void {
    const wait = -Math.log(1 - this.rng.float()) * this.params.faultEveryMs
    this.next = this.world.schedule('nemesis', wait, () => {
      if (!this.running) return
      this.act(this.params.faults[this.rng.int(this.params.faults.length)]!)
      this.arm()
    }, 'nemesis')
  }

  private later(fn: () => void): void {
    const ms = 100 + this.rng.float() * this.params.faultMaxMs
    const h = this.world.schedule('nemesis', ms, () => {
      this.undo.delete(h)
      if (this.running) fn()
    }, 'nemesis-undo')
    this.undo.add(h)
  }

  private act(kind: string): void {
    const c = this.cluster
    const ids = c.ids
    const leader = c.leader()?.id
    const anyUp = () => {
      const up = c.up().map((m) => m.id)
      return up.length > 0 ? up[this.rng.int(up.length)] : undefined
    }
    switch (kind) {
      case 'partition-halves': {
        const shuffled = this.shuffle(ids)
        const cut = 1 + this.rng.int(ids.length - 1)
        const groups = [shuffled.slice(0, cut), shuffled.slice(cut)]
        c.net.partition(groups)
        this.note(`partition ${groups.map((g) => g.join(',')).join(' | ')}`)
        this.later(() => this.heal())
        return
      }
      case 'isolate-leader': {
        if (!leader) return
        c.net.isolate(leader, ids)
        this.note(`isolate leader ${leader}`)
        this.later(() => this.heal())
        return
      }
      case 'one-way': {
        const from = leader && this.rng.float() < 0.5 ? leader : ids[this.rng.int(ids.length)]!
        const targets = this.rng.float() < 0.5 ? ids.filter((x) => x !== from) : [this.shuffle(ids.filter((x) => x !== from))[0]!]
        for (const to of targets) c.net.cut(from, to, true)
        this.note(`one-way cut ${from} -> ${targets.join(',')}`)
        this.later(() => this.heal())
        return
      }
      case 'crash':
      case 'crash-leader': {
        const id = kind === 'crash-leader' ? leader : anyUp()
        if (!id) return
        c.crash(id)
        this.note(`crash ${id}`)
        this.later(() => {
          c.restart(id)
          this.note(`restart ${id}`)
        })
        return
      }
      case 'transfer-leader': {
        const l = c.leader()
        if (!l) return
        const to = this.shuffle(ids.filter((x) => x !== l.id))[0]!
        try {
          l.node.transferLeadership(to)
          this.lastTransferAtMs = this.world.nowMs()
          this.note(`transfer leadership ${l.id} -> ${to}`)
        } catch (err) {
          this.note(`transfer leadership ${l.id} -> ${to} refused: ${(err as Error).message}`)
        }
        return
      }
      case 'pause':
      case 'pause-leader': {
        const id = kind === 'pause-leader' ? leader : anyUp()
        if (!id || this.world.isPaused(id)) return
        c.pause(id)
        this.note(`pause ${id}`)
        this.later(() => {
          c.resume(id)
          this.note(`resume ${id}`)
        })
        return
      }
      default:
        this.extra?.(kind, {rng: this.rng, later: (fn) => this.later(fn), note: (w) => this.note(w), shuffle: (xs) => this.shuffle(xs), heal: () => this.heal()})
    }
  }

  private heal(): void {
    this.cluster.net.heal()
    this.note('heal network')
  }

  private shuffle<T>(xs: readonly T[]): T[] {
    const a = [...xs]
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1)
      ;[a[i], a[j]] = [a[j]!, a[i]!]
    }
    return a
  }

  private note(what: string): void {
    this.log.push(`${this.world.nowMs().toFixed(1)}ms ${what}`)
  }
}
