/**
 * A Jepsen-style client history. Every operation is invoked once and completes once as
 * ok (it happened, with this result), fail (it certainly did not happen) or info (it
 * may or may not have happened). Events carry a global sequence number (the real-time
 * order the checker uses) and virtual timestamps (for humans).
 */
export type OpStatus = 'pending' | 'ok' | 'fail' | 'info'

export type RegisterOp =
  /**
   * A read; mode 'default' is Consul's default (leader) mode, 'stale' is `?stale` (any
   * server's local copy: not linearizable, checked separately), otherwise `?consistent`.
   */
  | {kind: 'read'; mode?: 'default' | 'stale'}
  /** A plain PUT of a value unique in the whole run. */
  | {kind: 'write'; value: string}
  /** PUT ?cas=expect (0: only if the key is absent). */
  | {kind: 'cas'; expect: number; value: string}

export interface RegisterResult {
  /** read: the value seen (null = absent) and its ModifyIndex (0 when absent). */
  value?: string | null
  /** read: the entry's ModifyIndex; write/cas: the Raft index the command was applied at. */
  index?: number
  /** cas: whether the swap happened. */
  swapped?: boolean
}

export interface HistoryOp {
  id: number
  client: string
  key: string
  op: RegisterOp
  node: string
  status: OpStatus
  invokeSeq: number
  invokeMs: number
  completeSeq?: number
  completeMs?: number
  result?: RegisterResult
  error?: string
}

export class History {
  readonly ops: HistoryOp[] = []
  private seq = 0

  constructor(private readonly now: () => number) {}

  invoke(client: string, key: string, op: RegisterOp, node: string): HistoryOp {
    const h: HistoryOp = {id: this.ops.length, client, key, op, node, status: 'pending', invokeSeq: this.seq++, invokeMs: this.now()}
    this.ops.push(h)
    return h
  }

  complete(h: HistoryOp, status: Exclude<OpStatus, 'pending'>, result?: RegisterResult, error?: string): void {
    if (h.status !== 'pending') throw new Error(`op ${h.id} completed twice`)
    h.status = status
    h.completeSeq = this.seq++
    h.completeMs = this.now()
    if (result) h.result = result
    if (error !== undefined) h.error = error
  }

  pending(): HistoryOp[] {
    return this.ops.filter((o) => o.status === 'pending')
  }

  byKey(): Map<string, HistoryOp[]> {
    const m = new Map<string, HistoryOp[]>()
    for (const o of this.ops) {
      const list = m.get(o.key) ?? []
      list.push(o)
      m.set(o.key, list)
    }
    return m
  }
}

export function formatOp(o: HistoryOp): string {
  const what = o.op.kind === 'read' ? (o.op.mode ? `read(${o.op.mode})` : 'read') : o.op.kind === 'write' ? `write ${o.op.value}` : `cas ${o.op.expect}→${o.op.value}`
  const res = o.result
    ? ` → ${o.result.value !== undefined ? `${o.result.value}@${o.result.index}` : o.result.swapped !== undefined ? `${o.result.swapped}@${o.result.index ?? '?'}` : `@${o.result.index}`}`
    : ''
  const t = `[${o.invokeMs.toFixed(1)}..${o.completeMs?.toFixed(1) ?? '∞'}]`
  return `#${o.id} ${o.client} ${o.key} ${what} ${o.status}${res} ${t} via ${o.node}${o.error ? ` (${o.error})` : ''}`
}
