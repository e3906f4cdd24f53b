import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../src/agent/env/prng.js'
import type {Random} from '../../src/agent/env/types.js'
import {EntryType, type Entry} from '../../src/agent/raft/core/types.js'
import {MemoryRaftStore} from '../../src/store/raft/memory-store.js'
import {checkLogMatching, checkRegister, checkSet, ElectionSafety, StateMachineSafety, Violations} from './checkers.js'
import {History, type HistoryOp, type RegisterOp, type RegisterResult} from './history.js'
import {runSeed, type RunOptions} from './run.js'

/** A tiny DSL: ops are invoked and completed in the order of the calls. */
class H {
  readonly h = new History(() => 0)
  inv(client: string, op: RegisterOp): HistoryOp {
    return this.h.invoke(client, 'k', op, 'n1')
  }
  ok(o: HistoryOp, r: RegisterResult): this {
    this.h.complete(o, 'ok', r)
    return this
  }
  /** A whole op with nothing concurrent to it. */
  seq(op: RegisterOp, status: 'ok' | 'fail' | 'info', r?: RegisterResult): this {
    this.h.complete(this.inv('c1', op), status, r)
    return this
  }
  check(maxSteps?: number) {
    return checkRegister(this.h.ops, maxSteps ? {maxSteps} : {})
  }
}
const read: RegisterOp = {kind: 'read'}
const write = (value: string): RegisterOp => ({kind: 'write', value})
const cas = (expect: number, value: string): RegisterOp => ({kind: 'cas', expect, value})

describe('linearizability checker (CAS register on ModifyIndex)', () => {
  it('accepts a sequential history', () => {
    const r = new H()
      .seq(read, 'ok', {value: null, index: 0})
      .seq(write('a'), 'ok', {index: 5})
      .seq(read, 'ok', {value: 'a', index: 5})
      .seq(cas(5, 'b'), 'ok', {index: 7, swapped: true})
      .seq(cas(5, 'c'), 'ok', {index: 8, swapped: false})
      .seq(read, 'ok', {value: 'b', index: 7})
      .check()
    expect(r.ok).toBe(true)
  })

  it('rejects a stale read', () => {
    const r = new H().seq(write('a'), 'ok', {index: 5}).seq(write('b'), 'ok', {index: 6}).seq(read, 'ok', {value: 'a', index: 5}).check()
    expect(r.ok).toBe(false)
    expect(!r.ok && !r.unknown && r.reason).toContain('not linearizable')
  })

  it('rejects a lost acknowledged write', () => {
    expect(new H().seq(write('a'), 'ok', {index: 5}).seq(read, 'ok', {value: null, index: 0}).check().ok).toBe(false)
  })

  it('rejects a CAS that swapped on an outdated index or created over an existing key', () => {
    const base = () => new H().seq(write('a'), 'ok', {index: 5}).seq(write('b'), 'ok', {index: 6})
    expect(base().seq(cas(5, 'c'), 'ok', {index: 7, swapped: true}).check().ok).toBe(false)
    expect(base().seq(cas(5, 'c'), 'ok', {index: 7, swapped: false}).check().ok).toBe(true)
    expect(base().seq(cas(0, 'c'), 'ok', {index: 7, swapped: true}).check().ok).toBe(false)
    expect(base().seq(cas(6, 'c'), 'ok', {index: 7, swapped: false}).check().ok).toBe(false)
  })

  it('accepts either order for a read concurrent with a write', () => {
    for (const seen of [{value: 'a', index: 5}, {value: 'b', index: 6}]) {
      const t = new H().seq(write('a'), 'ok', {index: 5})
      const w = t.inv('c1', write('b'))
      const rd = t.inv('c2', read)
      t.ok(rd, seen).ok(w, {index: 6})
      expect(t.check().ok).toBe(true)
    }
  })

  it('lets an info write take effect late or never, but not un-happen', () => {
    const t = () => new H().seq(write('a'), 'info')
    expect(t().seq(read, 'ok', {value: null, index: 0}).check().ok).toBe(true)
    expect(t().seq(read, 'ok', {value: 'a', index: 9}).check().ok).toBe(true)
    expect(t().seq(read, 'ok', {value: null, index: 0}).seq(read, 'ok', {value: 'a', index: 9}).check().ok).toBe(true)
    expect(t().seq(read, 'ok', {value: 'a', index: 9}).seq(read, 'ok', {value: null, index: 0}).check().ok).toBe(false)
    expect(new H().seq(cas(0, 'a'), 'info').seq(read, 'ok', {value: 'a', index: 3}).check().ok).toBe(true)
  })

  it('never lets a failed write be seen', () => {
    expect(new H().seq(write('a'), 'fail').seq(read, 'ok', {value: 'a', index: 4}).check().ok).toBe(false)
  })

  it('rejects one value at two ModifyIndexes and writes applied out of real-time order', () => {
    const two = new H().seq(write('a'), 'ok', {index: 5}).seq(read, 'ok', {value: 'a', index: 6}).check()
    expect(!two.ok && two.reason).toContain('seen at ModifyIndex')
    const order = new H().seq(write('a'), 'ok', {index: 6}).seq(write('b'), 'ok', {index: 5}).check()
    expect(!order.ok && order.reason).toContain('higher or equal index')
  })

  it('reports an exhausted search budget as unknown, never as a pass', () => {
    const t = new H()
    const ws = Array.from({length: 8}, (_, i) => t.inv(`c${i}`, write(`v${i}`)))
    ws.forEach((w, i) => t.ok(w, {index: 10 + i}))
    const r = t.seq(read, 'ok', {value: 'v7', index: 17}).check(3)
    expect(r.ok).toBe(false)
    expect(!r.ok && r.unknown).toBe(true)
  })

  it('accepts random histories of a correct atomic register, with info ops (property)', () => {
    for (let trial = 0; trial < 200; trial++) {
      const hist = randomRegisterHistory(seededRandom(trial), {stale: false})
      const r = checkRegister(hist)
      if (!r.ok) throw new Error(`trial ${trial}: ${r.reason}`)
    }
  })

  it('rejects a sequential history after changing one read to a value it could not see (property)', () => {
    let mutated = 0
    for (let trial = 0; trial < 200; trial++) {
      const rng = seededRandom(1000 + trial)
      const hist = randomRegisterHistory(rng, {stale: false, clients: 1, info: false})
      const reads = hist.filter((o) => o.op.kind === 'read' && o.status === 'ok')
      const target = reads[rng.int(reads.length)]
      if (!target) continue
      const seenValues = hist.filter((o) => o.status === 'ok' && o.op.kind !== 'read' && o.result?.index !== undefined && (o.op.kind === 'write' || o.result.swapped))
      const other = seenValues.find((o) => o.op.kind !== 'read' && o.op.value !== target.result!.value)
      if (!other || other.op.kind === 'read') continue
      target.result = {value: other.op.value, index: other.result!.index!}
      mutated++
      expect(checkRegister(hist).ok, `trial ${trial}`).toBe(false)
    }
    expect(mutated).toBeGreaterThan(100)
  })

  it('catches a register that sometimes serves the previous value', () => {
    let caught = 0
    for (let trial = 0; trial < 100; trial++) if (!checkRegister(randomRegisterHistory(seededRandom(5000 + trial), {stale: true})).ok) caught++
    expect(caught).toBeGreaterThan(50)
  })
})

/**
 * A history of a register shared by a few clients: every op takes effect at one random
 * point between its invoke and complete (so the history is linearizable by
 * construction), some clients give up on writes (info, applied or not; unless `info` is
 * false). `stale`: reads
 * sometimes return the value before the latest write instead (a bug).
 */
function randomRegisterHistory(r: Random, o: {stale: boolean; clients?: number; info?: boolean}): HistoryOp[] {
  const h = new History(() => 0)
  let state: {value: string | null; index: number} = {value: null, index: 0}
  let previous = state
  let index = 0
  let n = 0
  type Flight = {op: HistoryOp; applied: boolean; result?: RegisterResult; giveUp: boolean}
  const clients = o.clients ?? 3
  const flights = new Map<number, Flight>()
  // Clients only CAS on indexes they could know: 0, or one a read or an acknowledged write returned.
  const known = [0]
  for (let step = 0; step < 60; step++) {
    const c = r.int(clients)
    const f = flights.get(c)
    if (!f) {
      const x = r.float()
      const op: RegisterOp = x < 0.4 ? {kind: 'read'} : x < 0.7 ? {kind: 'write', value: `v${++n}`} : {kind: 'cas', expect: known[known.length - 1 - r.int(Math.min(3, known.length))]!, value: `v${++n}`}
      flights.set(c, {op: h.invoke(`c${c}`, 'k', op, 'n1'), applied: false, giveUp: o.info !== false && op.kind !== 'read' && r.float() < 0.1})
    } else if (!f.applied) {
      f.applied = true
      const op = f.op.op
      if (op.kind === 'read') {
        const seen = o.stale && r.float() < 0.3 ? previous : state
        f.result = {value: seen.value, index: seen.index}
      } else if (f.giveUp && r.float() < 0.5) {
        // the write was lost on the way: never applied
      } else if (op.kind === 'write' || (op.kind === 'cas' && (op.expect === 0 ? state.value === null : state.index === op.expect))) {
        index += 1 + r.int(3)
        previous = state
        state = {value: op.value, index}
        f.result = op.kind === 'write' ? {index} : {index, swapped: true}
      } else {
        f.result = {index: ++index, swapped: false}
      }
    } else {
      h.complete(f.op, f.giveUp ? 'info' : 'ok', f.giveUp ? undefined : f.result)
      // A client learns an index only from a completed read or acknowledged write.
      if (!f.giveUp && f.result?.index !== undefined && f.result.swapped !== false) known.push(f.result.index)
      flights.delete(c)
    }
  }
  for (const f of flights.values()) h.complete(f.op, 'info')
  // Reads that were still in flight carry no information.
  return h.ops.filter((x) => !(x.op.kind === 'read' && x.status === 'info'))
}

describe('durability (set) checker', () => {
  it('flags lost acknowledged writes, visible failed writes, wrong values and phantoms', () => {
    const adds = [
      {key: 'add/1', value: 'v1', status: 'ok' as const},
      {key: 'add/2', value: 'v2', status: 'ok' as const},
      {key: 'add/3', value: 'v3', status: 'fail' as const},
      {key: 'add/4', value: 'v4', status: 'info' as const},
      {key: 'add/5', value: 'v5', status: 'info' as const},
    ]
    expect(checkSet(adds, new Map([['add/1', 'v1'], ['add/2', 'v2'], ['add/4', 'v4']]))).toEqual([])
    const problems = checkSet(adds, new Map([['add/1', 'bad'], ['add/3', 'v3'], ['add/9', 'x']]))
    expect(problems).toEqual([
      'add/1 holds bad, written as v1',
      'lost acknowledged write add/2=v2',
      'write add/3=v3 reported failed but is present',
      'phantom key add/9=x',
    ])
  })
})

describe('Raft invariant checkers', () => {
  it('election safety: one leader per term', () => {
    const v = new Violations()
    const e = new ElectionSafety(v)
    e.observe(3, 'n1', 'n1')
    e.observe(3, 'n1', 'n2')
    e.observe(4, 'n2', 'n3')
    expect(v.any).toBe(false)
    e.observe(4, 'n3', 'n3')
    expect(v.list[0]).toContain('term 4 has leaders n2 and n3')
  })

  it('state-machine safety: same command and same state at every index, faithful restores', () => {
    const v = new Violations()
    const s = new StateMachineSafety(v, 1)
    const b = (x: string) => new TextEncoder().encode(x)
    s.applied('n1', 2, 1, b('set a'), b('state-a'), 1)
    s.applied('n2', 2, 1, b('set a'), b('state-a'), 1)
    s.restored('n3', 2, b('state-a'), b('state-a'))
    expect(v.any).toBe(false)
    s.applied('n3', 2, 1, b('set B'), b('state-a'), 1)
    s.applied('n3', 2, 1, b('set a'), b('state-X'), 1)
    s.restored('n3', 2, b('state-a'), b('state-Y'))
    expect(v.list).toHaveLength(3)
    expect(v.list[0]).toContain('index 2 applied as term 1')
    expect(v.list[1]).toContain('after applying index 2 n3 has state')
    expect(v.list[2]).toContain('restored the snapshot at 2')
  })

  it('log matching: same (index, term) implies the same prefix', () => {
    const log = (spec: [number, string][]) => {
      const s = new MemoryRaftStore()
      const entries: Entry[] = spec.map(([term, data], i) => ({index: i + 1, term, type: EntryType.Normal, data: new TextEncoder().encode(data)}))
      s.persist({entries})
      return s
    }
    const a = log([[1, 'x'], [1, 'y'], [2, 'z']])
    const ok = new Violations()
    checkLogMatching(ok, [{node: 'a', store: a}, {node: 'b', store: log([[1, 'x'], [1, 'y'], [3, 'w']])}])
    expect(ok.any).toBe(false)
    const bad = new Violations()
    checkLogMatching(bad, [{node: 'a', store: a}, {node: 'b', store: log([[1, 'x'], [1, 'Q'], [2, 'z']])}])
    expect(bad.list[0]).toContain('differ at index 2')
  })
})

describe('planted bugs are caught by the full simulation', () => {
  /** Runs seeds until one fails; returns its violations (empty if none failed). */
  async function firstCaught(opts: RunOptions, seeds: number): Promise<{seed: number; violations: string[]}> {
    for (let seed = 1; seed <= seeds; seed++) {
      const r = await runSeed(seed, opts)
      if (!r.ok) return {seed, violations: r.violations}
    }
    return {seed: -1, violations: []}
  }

  it('reads served from local state without ReadIndex (stale reads) fail linearizability', async () => {
    const found = await firstCaught({mutants: {staleReads: true}, overrides: {faults: ['isolate-leader', 'partition-halves', 'pause-leader']}}, 10)
    expect(found.violations.join('\n')).toMatch(/^linearizability/m)
  })

  it('a node whose FSM diverges breaks state-machine safety', async () => {
    const found = await firstCaught({mutants: {divergentFsm: 'n2'}}, 3)
    expect(found.violations.join('\n')).toContain('state machine safety')
  })

  it('a disk that acknowledges writes without persisting them is caught after crashes', async () => {
    const found = await firstCaught({mutants: {lyingDisk: true}, overrides: {faults: ['crash', 'crash-leader']}}, 10)
    expect(found.seed).toBeGreaterThan(0)
    expect(found.violations.length).toBeGreaterThan(0)
  })
})
