import {formatOp, type HistoryOp} from './history.js'

/**
 * Linearizability of one key's history against a CAS register whose CAS compares the
 * entry's ModifyIndex (Consul's `?cas=`). Wing & Gong search with Lowe's memoisation
 * (as in Porcupine): walk the call/return events, linearize a call when the model
 * allows it, backtrack on a return whose op is not yet linearized, and skip
 * (linearized-set, state) pairs already explored.
 *
 * Model. Every written value is unique in a run, so a value identifies the Raft entry
 * that wrote it: a pre-pass maps value ↔ ModifyIndex from every ok write, ok swap and ok
 * read (two different pairings are an anomaly by themselves). The register state is
 * then just the current value (null = absent), and `cas expect=i` succeeds iff the
 * current value is the one written at index i (expect 0: iff absent).
 *
 * ok ops must be linearized between invoke and complete. info writes/CASes may take
 * effect at any point after their invoke, or never (a CAS that failed is the same as
 * one that never happened). fail ops and info reads are left out.
 */
export type LinResult =
  | {ok: true; ops: number; steps: number}
  | {ok: false; unknown: false; reason: string; steps: number}
  /** The search budget ran out: neither a pass nor a failure; report it. */
  | {ok: false; unknown: true; reason: string; steps: number}

export interface LinOptions {
  /** Refuse histories with more ops than this (bounds the search). Default 400. */
  maxOps?: number
  /** Search steps before giving up with `unknown`. Default 2,000,000. */
  maxSteps?: number
}

type Value = string | null

interface Ev {
  op: HistoryOp
  /** Index of op among the checked ops (its bit). */
  bit: number
  call: boolean
  /** call → its return event (undefined for optional ops). */
  ret?: Ev
  prev?: Ev
  next?: Ev
}

export function checkRegister(ops: readonly HistoryOp[], opts: LinOptions = {}): LinResult {
  const maxOps = opts.maxOps ?? 400
  const maxSteps = opts.maxSteps ?? 2_000_000
  const pairing = pairValues(ops)
  if (typeof pairing === 'string') return {ok: false, unknown: false, reason: pairing, steps: 0}
  const order = indexOrder(ops)
  if (order) return {ok: false, unknown: false, reason: order, steps: 0}
  // Stale reads promise no recency (they still count for the value ↔ index pairing above).
  const checked = ops.filter((o) => !(o.op.kind === 'read' && o.op.mode === 'stale') && (o.status === 'ok' || ((o.status === 'info' || o.status === 'pending') && o.op.kind !== 'read')))
  if (checked.length > maxOps) return {ok: false, unknown: true, reason: `history of ${checked.length} ops exceeds the bound of ${maxOps}`, steps: 0}
  const {idx2val} = pairing
  const stepModel = (state: Value, o: HistoryOp): Value | undefined => {
    const op = o.op
    if (op.kind === 'read') return o.result?.value === state ? state : undefined
    if (op.kind === 'write') return op.value
    const expected: Value | undefined = op.expect === 0 ? null : idx2val.get(op.expect)
    const matches = expected !== undefined && state === expected
    if (o.status !== 'ok') return matches ? op.value : undefined // info: only its success matters
    if (o.result?.swapped) return matches ? op.value : undefined
    return matches ? undefined : state
  }
  return search(checked, stepModel, maxSteps)
}

/** value ↔ ModifyIndex from what clients saw; a string describes a conflict. */
function pairValues(ops: readonly HistoryOp[]): {idx2val: Map<number, string>} | string {
  const val2idx = new Map<string, number>()
  const idx2val = new Map<number, string>()
  const witness = new Map<string, HistoryOp>()
  const see = (value: string, index: number, o: HistoryOp): string | undefined => {
    const i = val2idx.get(value)
    if (i !== undefined && i !== index) return `value ${value} seen at ModifyIndex ${i} (${formatOp(witness.get(value)!)}) and ${index} (${formatOp(o)})`
    const v = idx2val.get(index)
    if (v !== undefined && v !== value) return `ModifyIndex ${index} holds ${v} and ${value} (${formatOp(o)})`
    val2idx.set(value, index)
    idx2val.set(index, value)
    witness.set(value, o)
    return undefined
  }
  for (const o of ops) {
    if (o.status !== 'ok' || !o.result) continue
    const r = o.result
    let bad: string | undefined
    if (o.op.kind === 'read' && r.value !== null && r.value !== undefined && r.index !== undefined) bad = see(r.value, r.index, o)
    else if (o.op.kind === 'read' && r.value === null && r.index !== 0) bad = `read of an absent key reported ModifyIndex ${r.index} (${formatOp(o)})`
    else if (o.op.kind === 'write' && r.index !== undefined) bad = see(o.op.value, r.index, o)
    else if (o.op.kind === 'cas' && r.swapped && r.index !== undefined) bad = see(o.op.value, r.index, o)
    if (bad) return bad
  }
  return {idx2val}
}

/** Writes that do not overlap in real time must be applied in Raft index order. */
function indexOrder(ops: readonly HistoryOp[]): string | undefined {
  const writes = ops.filter((o) => o.status === 'ok' && o.result?.index !== undefined && (o.op.kind === 'write' || (o.op.kind === 'cas' && o.result.swapped)))
  for (const a of writes)
    for (const b of writes) {
      if (a.completeSeq! < b.invokeSeq && a.result!.index! >= b.result!.index!) {
        return `write ${formatOp(a)} completed before ${formatOp(b)} began but has a higher or equal index`
      }
    }
  return undefined
}

function search(ops: HistoryOp[], stepModel: (s: Value, o: HistoryOp) => Value | undefined, maxSteps: number): LinResult {
  const head = buildEvents(ops)
  let required = ops.filter((o) => o.status === 'ok').length
  const isRequired = (e: Ev) => e.op.status === 'ok'
  const cache = new Set<string>()
  const stack: {ev: Ev; state: Value}[] = []
  let bits = 0n
  let state: Value = null
  let ev = head.next
  let steps = 0
  let deepest = {depth: -1, blocked: undefined as HistoryOp | undefined}
  while (required > 0) {
    if (++steps > maxSteps) return {ok: false, unknown: true, reason: `search budget of ${maxSteps} steps exhausted (${ops.length} ops)`, steps}
    if (!ev) break // only optional calls were left and could not go: cannot happen with required > 0
    if (ev.call) {
      const next = stepModel(state, ev.op)
      if (next !== undefined) {
        const nb = bits | (1n << BigInt(ev.bit))
        const key = `${nb.toString(36)}|${next === null ? '\u0000' : next}`
        if (!cache.has(key)) {
          cache.add(key)
          stack.push({ev, state})
          bits = nb
          state = next
          lift(ev)
          if (isRequired(ev)) required--
          ev = head.next
          continue
        }
      }
      ev = ev.next
      continue
    }
    // A return whose op is not linearized yet: undo the last choice.
    if (stack.length >= deepest.depth) deepest = {depth: stack.length, blocked: ev.op}
    const top = stack.pop()
    if (!top) break
    unlift(top.ev)
    bits &= ~(1n << BigInt(top.ev.bit))
    state = top.state
    if (isRequired(top.ev)) required++
    ev = top.ev.next
  }
  if (required === 0) return {ok: true, ops: ops.length, steps}
  const blocked = deepest.blocked ? formatOp(deepest.blocked) : '?'
  return {
    ok: false,
    unknown: false,
    reason: `not linearizable: at most ${Math.max(0, deepest.depth)} of ${ops.length} ops linearize; stuck before the return of ${blocked}`,
    steps,
  }
}

function buildEvents(ops: HistoryOp[]): Ev {
  const events: {seq: number; ev: Ev}[] = []
  ops.forEach((op, bit) => {
    const call: Ev = {op, bit, call: true}
    events.push({seq: op.invokeSeq, ev: call})
    if (op.status === 'ok') {
      const ret: Ev = {op, bit, call: false}
      call.ret = ret
      events.push({seq: op.completeSeq!, ev: ret})
    }
  })
  events.sort((a, b) => a.seq - b.seq)
  const head: Ev = {op: undefined as unknown as HistoryOp, bit: -1, call: false}
  let prev = head
  for (const {ev} of events) {
    prev.next = ev
    ev.prev = prev
    prev = ev
  }
  return head
}

/** Removes a call (and its return) from the event list. */
function lift(call: Ev): void {
  unlink(call)
  if (call.ret) unlink(call.ret)
}

/** Puts them back exactly where they were (undo in reverse order of lift). */
function unlift(call: Ev): void {
  if (call.ret) relink(call.ret)
  relink(call)
}

function unlink(e: Ev): void {
  e.prev!.next = e.next
  if (e.next) e.next.prev = e.prev
}

function relink(e: Ev): void {
  e.prev!.next = e
  if (e.next) e.next.prev = e
}
