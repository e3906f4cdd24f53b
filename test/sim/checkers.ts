import type {Entry} from '../../src/agent/raft/core/types.js'
import type {RaftStore} from '../../src/store/raft/types.js'
import {checkRegister, type LinOptions, type LinResult} from './linearizable.js'
import type {History} from './history.js'

export {checkRegister, type LinResult, type LinOptions}

/**
 * Invariant checkers. They never throw into the code under test (an exception inside an
 * FSM callback would just stop that node and hide the bug): they record violations,
 * and the runner stops at the first one.
 */
export class Violations {
  readonly list: string[] = []

  add(what: string): void {
    if (this.list.length < 50) this.list.push(what)
  }

  get any(): boolean {
    return this.list.length > 0
  }
}

/** (a) Election safety: at most one leader per term, over every observation by anyone. */
export class ElectionSafety {
  readonly leaderOfTerm = new Map<number, string>()

  constructor(private readonly v: Violations) {}

  /** `observer` believes `leader` leads `term` (the leader itself, or a follower hearing from it). */
  observe(term: number, leader: string, observer: string): void {
    if (leader === '') return
    const prev = this.leaderOfTerm.get(term)
    if (prev === undefined) this.leaderOfTerm.set(term, leader)
    else if (prev !== leader) this.v.add(`election safety: term ${term} has leaders ${prev} and ${leader} (seen by ${observer})`)
  }
}

/** FNV-1a over bytes: a cheap digest for commands and state dumps. */
export function digest(bytes: Uint8Array): string {
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (let i = 0; i < bytes.length; i++) {
    h1 = Math.imul(h1 ^ bytes[i]!, 0x01000193) >>> 0
    h2 = Math.imul(h2 ^ bytes[i]!, 0x5bd1e995) >>> 0
  }
  return `${h1.toString(16)}${h2.toString(16)}:${bytes.length}`
}

/**
 * (b) State-machine safety, checked on every apply and restore of every node: the
 * command applied at an index is the same everywhere and across restarts, and the state
 * dump after it is too (dumps cost O(state), so they are taken at every `stateEvery`-th
 * index; a divergence persists, so sampling still catches it). A restored snapshot must
 * dump back to its own bytes.
 */
export class StateMachineSafety {
  private readonly cmdAt = new Map<number, {term: number; cmd: string; node: string}>()
  private readonly stateAt = new Map<number, {d: string; node: string}>()
  /** Per applied command: the lowest term any applying node was in (leader completeness). */
  readonly committed = new Map<number, {term: number; seenInTerm: number}>()

  constructor(private readonly v: Violations, readonly stateEvery = 4) {}

  /** Whether the state after applying `index` should be dumped and passed to applied(). */
  wantsState(index: number): boolean {
    return index % this.stateEvery === 0
  }

  applied(node: string, index: number, term: number, cmd: Uint8Array, state: Uint8Array | undefined, nodeTerm: number): void {
    const c = digest(cmd)
    const prev = this.cmdAt.get(index)
    if (!prev) this.cmdAt.set(index, {term, cmd: c, node})
    else if (prev.term !== term || prev.cmd !== c) {
      this.v.add(`state machine safety: index ${index} applied as term ${prev.term} ${prev.cmd} on ${prev.node} but term ${term} ${c} on ${node}`)
    }
    // Committed in a term ≤ the term of every node that applied it: keep the lowest.
    const seen = this.committed.get(index)
    this.committed.set(index, {term, seenInTerm: Math.min(seen?.seenInTerm ?? Infinity, nodeTerm)})
    if (!state) return
    const d = digest(state)
    const had = this.stateAt.get(index)
    if (!had) this.stateAt.set(index, {d, node})
    else if (had.d !== d) this.v.add(`state machine safety: after applying index ${index} ${node} has state ${d}, ${had.node} had ${had.d}`)
  }

  /** A snapshot restored at `index` must dump to exactly the bytes it was restored from. */
  restored(node: string, index: number, data: Uint8Array, state: Uint8Array): void {
    const want = digest(data)
    const got = digest(state)
    if (want !== got) this.v.add(`state machine safety: ${node} restored the snapshot at ${index} (${want}) but its state dumps as ${got}`)
  }
}

/**
 * Leader completeness: a node that becomes leader of `term` holds every entry that some
 * node applied while in a lower term (such an entry was committed in a term < `term`).
 */
export function checkLeaderCompleteness(v: Violations, sms: StateMachineSafety, node: string, term: number, store: RaftStore): void {
  const first = store.firstIndex()
  const last = store.lastIndex()
  for (const [index, c] of sms.committed) {
    if (c.seenInTerm >= term || index < first) continue // not yet known committed before this term, or compacted (inside a snapshot)
    if (index > last) {
      v.add(`leader completeness: ${node} leads term ${term} with last index ${last} but index ${index} was committed in term ≤ ${c.seenInTerm}`)
      return
    }
    const t = store.term(index)
    if (t !== c.term) {
      v.add(`leader completeness: ${node} leads term ${term} with term ${t} at index ${index}, committed as term ${c.term}`)
      return
    }
  }
}

/** Log matching: where two logs hold an entry of the same index and term, they agree up to there. */
export function checkLogMatching(v: Violations, logs: {node: string; store: RaftStore}[]): void {
  for (let i = 0; i < logs.length; i++)
    for (let j = i + 1; j < logs.length; j++) {
      const a = logs[i]!
      const b = logs[j]!
      const lo = Math.max(a.store.firstIndex(), b.store.firstIndex())
      const hi = Math.min(a.store.lastIndex(), b.store.lastIndex())
      if (hi < lo) continue
      const ea = a.store.entries(lo, hi + 1)
      const eb = b.store.entries(lo, hi + 1)
      let match = -1
      for (let k = ea.length - 1; k >= 0; k--) {
        if (ea[k]!.term === eb[k]!.term) {
          match = k
          break
        }
      }
      for (let k = 0; k <= match; k++) {
        if (!sameEntry(ea[k]!, eb[k]!)) {
          v.add(`log matching: ${a.node} and ${b.node} agree on (index ${ea[match]!.index}, term ${ea[match]!.term}) but differ at index ${ea[k]!.index}`)
          return
        }
      }
    }
}

function sameEntry(a: Entry, b: Entry): boolean {
  if (a.index !== b.index || a.term !== b.term || a.type !== b.type || a.data.byteLength !== b.data.byteLength) return false
  for (let i = 0; i < a.data.byteLength; i++) if (a.data[i] !== b.data[i]) return false
  return true
}

/** Per-node monotonicity across incarnations: the durable term never goes back. */
export class Monotonic {
  private readonly last = new Map<string, number>()

  constructor(private readonly v: Violations, private readonly what: string) {}

  observe(node: string, x: number): void {
    const prev = this.last.get(node) ?? -Infinity
    if (x < prev) this.v.add(`${this.what} went back on ${node}: ${prev} → ${x}`)
    else this.last.set(node, x)
  }
}

/** One unique add of the set workload: key → value, with its outcome. */
export interface SetAdd {
  key: string
  value: string
  status: 'pending' | 'ok' | 'fail' | 'info'
}

/**
 * (d) Durability (Jepsen "set"): after heal, every acknowledged add is present with its
 * value in the final state, nothing that failed is present, and nothing appears that was
 * never written (`final` holds every key under the add prefix).
 */
export function checkSet(adds: readonly SetAdd[], final: ReadonlyMap<string, string>): string[] {
  const out: string[] = []
  const byKey = new Map(adds.map((a) => [a.key, a]))
  for (const a of adds) {
    const got = final.get(a.key)
    if (a.status === 'ok' && got === undefined) out.push(`lost acknowledged write ${a.key}=${a.value}`)
    if (got !== undefined && got !== a.value) out.push(`${a.key} holds ${got}, written as ${a.value}`)
    if (a.status === 'fail' && got !== undefined) out.push(`write ${a.key}=${a.value} reported failed but is present`)
  }
  for (const [k, val] of final) if (!byKey.has(k)) out.push(`phantom key ${k}=${val}`)
  return out
}

/** (c) Every key's register history is linearizable; `unknown` results count as failures to look at. */
export function checkHistory(h: History, opts?: LinOptions): {key: string; result: LinResult}[] {
  const bad: {key: string; result: LinResult}[] = []
  for (const [key, ops] of h.byKey()) {
    const result = checkRegister(ops, opts)
    if (!result.ok) bad.push({key, result})
  }
  return bad
}

/**
 * `?stale` reads promise no recency, only that what they return was written: every value
 * an ok stale read saw is null (absent) or one some write or CAS of that key sent.
 */
export function checkStaleReads(h: History): string[] {
  const out: string[] = []
  for (const [key, ops] of h.byKey()) {
    const sent = new Set<string>()
    for (const o of ops) if (o.op.kind !== 'read') sent.add(o.op.value)
    for (const o of ops) {
      if (o.op.kind !== 'read' || o.op.mode !== 'stale' || o.status !== 'ok') continue
      const v = o.result?.value
      if (v !== null && v !== undefined && !sent.has(v)) out.push(`stale read of ${key} returned ${v}, which no client wrote (op #${o.id} via ${o.node})`)
    }
  }
  return out
}
