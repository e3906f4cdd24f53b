import {entrySize} from './entries.js'
import type {Entry, Message} from './types.js'
import {MsgType} from './types.js'

/**
 * Merges a Ready's messages that say one thing twice to the same peer, so a busy leader
 * sends each follower one MsgApp per Ready instead of one per proposal and per commit
 * advance (measured under 64 writing clients: ~24 MsgApps per follower per Ready, each
 * answered by its own MsgAppResp — four messages per write). Only messages with nothing
 * else to that peer between them are merged, so each peer still sees its messages in the
 * order the core produced them:
 * - MsgApp b continuing MsgApp a (b.index is a's last index, b.logTerm that entry's term,
 *   same term) becomes one MsgApp: a's probe point, both entry lists, the higher commit.
 *   A follower accepting it ends exactly where accepting a then b ends; one rejecting it
 *   would have rejected a (and so b). Merging stops at maxBytes of entries.
 * - Two accepting MsgAppResps of one term become the one with the higher index: an ack
 *   of index i says the log matches the leader's up to i, and within a term a follower's
 *   log only grows, so the higher ack implies the lower.
 */
export function coalesceMessages(msgs: Message[], maxBytes: number): Message[] {
  if (msgs.length < 2) return msgs
  const out: Message[] = []
  /** Per peer: position in `out` of the last message to it, and its entry bytes when a MsgApp. */
  const last = new Map<string, {at: number; bytes: number}>()
  for (const m of msgs) {
    const prev = last.get(m.to)
    const p = prev && out[prev.at]!
    if (prev && p && p.term === m.term) {
      if (m.type === MsgType.App && p.type === MsgType.App) {
        const pe = p.entries ?? []
        const me = m.entries ?? []
        const bytes = prev.bytes + sizeOf(me)
        const lastTerm = pe.length > 0 ? pe[pe.length - 1]!.term : p.logTerm
        if (m.index === (p.index ?? 0) + pe.length && m.logTerm === lastTerm && (me.length === 0 || bytes <= maxBytes)) {
          out[prev.at] = {...p, entries: me.length === 0 ? pe : pe.concat(me), commit: Math.max(p.commit ?? 0, m.commit ?? 0)}
          prev.bytes = bytes
          continue
        }
      } else if (m.type === MsgType.AppResp && p.type === MsgType.AppResp && !m.reject && !p.reject) {
        out[prev.at] = {...m, index: Math.max(p.index ?? 0, m.index ?? 0)}
        continue
      }
    }
    last.set(m.to, {at: out.length, bytes: m.type === MsgType.App ? sizeOf(m.entries ?? []) : 0})
    out.push(m)
  }
  return out
}

function sizeOf(entries: readonly Entry[]): number {
  let n = 0
  for (const e of entries) n += entrySize(e)
  return n
}
