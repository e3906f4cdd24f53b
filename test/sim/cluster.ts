import type {SimWorld} from '../../src/agent/env/sim.js'
import type {Fsm as RaftFsm} from '../../src/agent/raft/fsm.js'
import {RaftNode} from '../../src/agent/raft/node.js'
import type {RaftTransport} from '../../src/agent/raft/transport.js'
import {Fsm} from '../../src/store/fsm/fsm.js'
import {MemoryRaftDisk, MemoryRaftStore} from '../../src/store/raft/memory-store.js'
import {dump} from '../../src/store/state/snapshot.js'
import {checkLeaderCompleteness, checkLogMatching, digest, type ElectionSafety, type Monotonic, type StateMachineSafety, type Violations} from './checkers.js'
import {diskSync, LazySyncStore} from './lazy-store.js'
import type {SimNetwork} from './network.js'
import type {SimParams} from './params.js'

export interface Member {
  id: string
  /** Running (not crashed). A paused member is up. */
  up: boolean
  incarnation: number
  node: RaftNode
  /** The real FSM of this incarnation (state is lost on crash, like a process's memory). */
  fsm: Fsm
  store: MemoryRaftStore | LazySyncStore
  disk: MemoryRaftDisk
  transport: RaftTransport
}

/** Test-only knobs that plant bugs, to prove the checkers catch them (checkers.test.ts). */
export interface Mutants {
  /** The store acknowledges writes but never makes them durable: a crash loses everything. */
  lyingDisk?: boolean
  /** This node's FSM writes every key under a different name (an FSM that diverges from its peers). */
  divergentFsm?: string
  /** With params.lazyCommitSync: the store believes `sync: false` even on batches with a snapshot. */
  lazyStoreTrustsSyncFlag?: boolean
}

export interface ClusterChecks {
  violations: Violations
  election: ElectionSafety
  sms: StateMachineSafety
  terms: Monotonic
}

interface RecordingHooks {
  sms: StateMachineSafety
  /** The node's current term (for leader completeness). */
  termNow(): number
  /** divergentFsm mutant: prefix every key this node writes. */
  mark?: string
  onEmptyRestore(index: number): void
  onRestored(): void
}

/** The real FSM, reporting every apply and restore to the state-machine safety checker. */
class RecordingFsm implements RaftFsm {
  constructor(
    private readonly inner: Fsm,
    private readonly node: string,
    private readonly hooks: RecordingHooks,
  ) {}

  apply(index: number, term: number, data: Uint8Array): unknown {
    const {sms, mark} = this.hooks
    const r = this.inner.apply(index, term, mark ? remark(data, mark) : data)
    const state = sms.wantsState(index) ? dump(this.inner.state) : undefined
    sms.applied(this.node, index, term, data, state, this.hooks.termNow())
    return r
  }

  snapshot(): Uint8Array {
    return this.inner.snapshot()
  }

  restore(data: Uint8Array, index: number, term: number): void {
    // Empty data = the empty state (the bootstrap snapshot). Raft only installs it into
    // a fresh node, so landing on applied state is flagged.
    if (data.byteLength === 0 && this.inner.lastApplied.index > 0) this.hooks.onEmptyRestore(index)
    this.inner.restore(data, index, term)
    this.hooks.onRestored()
    if (data.byteLength > 0) this.hooks.sms.restored(this.node, index, data, dump(this.inner.state))
  }
}

/** The divergent-FSM mutant: rewrite the command's JSON so the stored value differs. */
function remark(data: Uint8Array, mark: string): Uint8Array {
  const text = new TextDecoder().decode(data.subarray(1))
  const changed = new TextEncoder().encode(text.replace('"Key":"', `"Key":"${mark}`))
  const out = new Uint8Array(1 + changed.length)
  out[0] = data[0]!
  out.set(changed, 1)
  return out
}

/**
 * N real RaftNodes (real driver, real FSM and state store, memory Raft store with a
 * durable "disk") on one simulated world and network. crash() = stop + drop whatever
 * the store did not sync + forget the FSM; restart() boots a fresh node on the disk.
 * With params.lazyCommitSync, commit-index-only batches are not synced (SQLite's
 * model), so a crash can lose them.
 */
export class SimCluster {
  readonly ids: string[]
  readonly members = new Map<string, Member>()
  /** Coverage counters: snapshot restores (startup and installed), crashes. */
  restores = 0
  crashes = 0

  constructor(
    private readonly world: SimWorld,
    readonly net: SimNetwork,
    readonly params: SimParams,
    readonly checks: ClusterChecks,
    private readonly mutants: Mutants = {},
  ) {
    this.ids = Array.from({length: params.nodes}, (_, i) => `n${i + 1}`)
  }

  start(): void {
    for (const id of this.ids) this.boot(id, new MemoryRaftDisk(), 1)
  }

  member(id: string): Member {
    const m = this.members.get(id)
    if (!m) throw new Error(`no member ${id}`)
    return m
  }

  up(): Member[] {
    return this.ids.map((id) => this.member(id)).filter((m) => m.up)
  }

  crash(id: string): void {
    const m = this.member(id)
    if (!m.up) return
    m.node.stop()
    m.transport.close()
    m.store.crash()
    m.up = false
    this.crashes++
    this.world.resume(id) // a dead process is not paused; held events hit the stopped node
  }

  restart(id: string): void {
    const m = this.member(id)
    if (m.up) return
    this.boot(id, m.disk, m.incarnation + 1)
  }

  pause(id: string): void {
    if (this.member(id).up) this.world.pause(id)
  }

  resume(id: string): void {
    this.world.resume(id)
  }

  /** The up, unpaused leader with the highest term, if any. */
  leader(): Member | undefined {
    let best: Member | undefined
    let bestTerm = -1
    for (const m of this.up()) {
      if (this.world.isPaused(m.id) || !m.node.isLeader()) continue
      const t = termOf(m)
      if (t > bestTerm) {
        best = m
        bestTerm = t
      }
    }
    return best
  }

  /** One leader that every up node follows. */
  stableLeader(): Member | undefined {
    const l = this.leader()
    if (!l) return undefined
    return this.up().every((m) => m.node.leader() === l.id) ? l : undefined
  }

  /** Every node up, on the same applied index = commit index, with byte-identical state. */
  converged(): boolean {
    const ms = this.ids.map((id) => this.member(id))
    if (!ms.every((m) => m.up && !this.world.isPaused(m.id))) return false
    const s0 = ms[0]!.node.stats()
    const want = s0.applied_index
    if (s0.commit_index !== want) return false
    for (const m of ms) {
      const s = m.node.stats()
      if (s.applied_index !== want || s.commit_index !== want) return false
    }
    const d0 = digest(dump(ms[0]!.fsm.state))
    return ms.every((m) => digest(dump(m.fsm.state)) === d0)
  }

  /** Invariants checked at quiescent points (between events), cheap enough to run often. */
  checkpoint(): void {
    const v = this.checks.violations
    const byApplied = new Map<string, {id: string; d: string}>()
    for (const m of this.up()) {
      const s = m.node.stats()
      if (s.state === 'Shutdown') v.add(`${m.id} stopped itself (see its error log)`)
      // A term only counts once durable: a node may learn a term, crash before its disk
      // syncs it, and come back at the older one, as long as it never sent anything at the
      // newer term (the driver holds those messages until the sync). So the disk's term must
      // never go back, and within one incarnation neither may the live one.
      this.checks.terms.observe(m.id, m.disk.log.hardState.term)
      this.checks.terms.observe(`${m.id} (incarnation ${m.incarnation}, in memory)`, Number(s.term))
      // Leaders are observed in onLeaderChange only: between events the core's term may
      // already be ahead of the driver's role (its Ready is still deferred).
      const d = digest(dump(m.fsm.state))
      const other = byApplied.get(s.applied_index)
      if (other && other.d !== d) v.add(`state machine safety: ${other.id} and ${m.id} both applied ${s.applied_index} but hold different states`)
      byApplied.set(s.applied_index, {id: m.id, d})
    }
  }

  /** Log matching over every node's durable log (crashed nodes included: their disk is what they restart with). */
  checkLogs(): void {
    checkLogMatching(this.checks.violations, this.ids.map((id) => ({node: id, store: this.member(id).store})))
  }

  private boot(id: string, disk: MemoryRaftDisk, incarnation: number): void {
    const p = this.params
    const clock = p.clocks[this.ids.indexOf(id)] ?? {skewMs: 0, rate: 1}
    const env = this.world.envFor(id, {clockSkewMs: clock.skewMs, clockRate: clock.rate})
    // A lying disk never syncs, so it gets no deferred sync either.
    const syncLater = p.diskSyncMaxMs > 0 && !this.mutants.lyingDisk ? diskSync(this.world.rng(`disk/${id}/${incarnation}`), env, p.diskSyncMaxMs) : undefined
    const store = p.lazyCommitSync && !this.mutants.lyingDisk ? new LazySyncStore(disk, this.mutants.lazyStoreTrustsSyncFlag, syncLater) : new MemoryRaftStore({disk, autoSync: !this.mutants.lyingDisk, syncLater})
    const fsm = new Fsm()
    const transport = this.net.connect(id)
    const {sms, election, violations} = this.checks
    let node: RaftNode | undefined
    const hooks: RecordingHooks = {
      sms,
      termNow: () => (node ? Number(node.stats().term) : 0),
      onEmptyRestore: (index) => violations.add(`${id} was asked to restore an empty snapshot at ${index} over a non-empty state`),
      onRestored: () => void this.restores++,
    }
    if (this.mutants.divergentFsm === id) hooks.mark = 'mutant/'
    const rec = new RecordingFsm(fsm, id, hooks)
    node = new RaftNode({env, store, fsm: rec, transport}, {
      id,
      tickMs: p.tickMs,
      electionTicks: p.electionTicks,
      heartbeatTicks: p.heartbeatTicks,
      snapshotThreshold: p.snapshotThreshold,
      trailingLogs: p.trailingLogs,
      requestTimeoutMs: p.requestTimeoutMs,
      // The lease is only as safe as the drift bound: tell it the true bound of this run.
      clockDriftBound: p.clockDriftBound ?? Math.max(...p.clocks.map((c) => Math.abs(c.rate - 1))),
      bootstrap: {voters: this.ids},
      log: env.log.named('raft'),
    })
    const raft = node
    raft.onLeaderChange((leader) => {
      const term = Number(raft.stats().term)
      election.observe(term, leader, id)
      if (leader === id) checkLeaderCompleteness(violations, sms, id, term, store)
    })
    const m: Member = {id, up: true, incarnation, node: raft, fsm, store, disk, transport}
    this.members.set(id, m)
    try {
      raft.start()
    } catch (err) {
      violations.add(`${id} failed to start (incarnation ${incarnation}): ${(err as Error).message}`)
      m.up = false
    }
  }
}

export function termOf(m: Member): number {
  return Number(m.node.stats().term)
}
