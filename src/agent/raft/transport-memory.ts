import type {Message, NodeId} from './core/types.js'
import type {RaftTransport} from './transport.js'

export interface MemoryRaftHubOptions {
  /** Schedules a delivery (e.g. env.timers.defer); setImmediate when omitted. */
  defer?: (fn: () => void) => void
}

/**
 * An in-process network for tests: each node connects one transport; links can be cut
 * one way or both ways and healed. Every message is structured-cloned, so nodes never
 * share objects, and delivered on a later turn.
 */
export class MemoryRaftHub {
  private readonly handlers = new Map<NodeId, (m: Message) => void>()
  private readonly unreachable = new Map<NodeId, (to: NodeId) => void>()
  private readonly cuts = new Set<string>()
  private readonly defer: (fn: () => void) => void
  /** Messages handed to the hub, by type, for assertions. */
  readonly sent = new Map<string, number>()

  constructor(opts: MemoryRaftHubOptions = {}) {
    this.defer = opts.defer ?? ((fn) => setImmediate(fn))
  }

  connect(id: NodeId): RaftTransport {
    let open = true
    return {
      send: (msgs) => {
        if (open) for (const m of msgs) this.route(id, m)
      },
      onMessage: (handler) => {
        if (open) this.handlers.set(id, handler)
      },
      onUnreachable: (handler) => {
        if (open) this.unreachable.set(id, handler)
      },
      close: () => {
        open = false
        this.handlers.delete(id)
        this.unreachable.delete(id)
      },
    }
  }

  /** Drops messages from `from` to `to` (and back, unless oneWay). */
  cut(from: NodeId, to: NodeId, oneWay = false): void {
    this.cuts.add(`${from}>${to}`)
    if (!oneWay) this.cuts.add(`${to}>${from}`)
  }

  /** Cuts every link of `id`. */
  isolate(id: NodeId): void {
    for (const other of this.handlers.keys()) if (other !== id) this.cut(id, other)
  }

  heal(): void {
    this.cuts.clear()
  }

  private route(from: NodeId, m: Message): void {
    this.sent.set(m.type, (this.sent.get(m.type) ?? 0) + 1)
    const copy = structuredClone(m)
    const blocked = this.cuts.has(`${from}>${m.to}`)
    this.defer(() => {
      const handler = this.handlers.get(m.to)
      if (blocked || !handler) {
        this.unreachable.get(from)?.(m.to)
        return
      }
      handler(copy)
    })
  }
}
