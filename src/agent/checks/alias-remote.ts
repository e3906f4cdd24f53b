import type {Logger, Timers} from '../env/types.js'
import type {AliasSource} from './types.js'

type AliasedCheck = NonNullable<ReturnType<AliasSource['checks']>>[number]

/** One blocking call of Health.NodeChecks: {index, checks}; rejects on any RPC error. */
export type NodeChecksQuery = (req: {Node: string; MinQueryIndex: number; MaxQueryTime: number; AllowStale: true; MaxStaleDuration: number}, signal: AbortSignal) => Promise<{index: number; checks: AliasedCheck[]}>

/** Consul's alias check constants: a minute per blocking query, a copy at most 15 s stale, backoff after 3 failures up to a minute. */
const MAX_QUERY_TIME_MS = 60_000
const MAX_STALE_MS = 15_000
const BACKOFF_AFTER_FAILURES = 3
const BACKOFF_MAX_MS = 60_000

/** The IDs of a node's services (Catalog.NodeServices, stale); rejects on any RPC error. */
export type NodeServicesQuery = (req: {Node: string; AllowStale: true; MaxStaleDuration: number}) => Promise<string[]>

interface Watched {
  checks?: AliasedCheck[]
  /** The node's service IDs as of the last change of its checks; undefined when the lookup failed. */
  services?: Set<string>
  error?: string
  index: number
  failures: number
  waiters: Set<() => void>
  abort?: AbortController
}

/**
 * Where an agent without the replicated store (a client agent) reads the checks of another
 * node for its alias checks: one Health.NodeChecks blocking query loop per watched node, as
 * Consul's alias check runs (stale reads, at most 15 s behind; a failing query turns the
 * check critical with "Failure checking aliased node or service: …" from the second failure
 * on, and backs off after three). Until the first answer, checks() is undefined: the check
 * keeps its initial status rather than report an outcome nobody measured.
 */
export class RemoteAliasChecks {
  private readonly nodes = new Map<string, Watched>()

  constructor(
    private readonly query: NodeChecksQuery,
    private readonly timers: Timers,
    private readonly log: Logger,
    private readonly services?: NodeServicesQuery,
  ) {}

  /** Whether the node has the service; undefined while not known (treated as present). */
  serviceExists(node: string, serviceId: string): boolean | undefined {
    const s = this.nodes.get(node)?.services
    return s ? s.has(serviceId) : undefined
  }

  checks(node: string): AliasedCheck[] | undefined {
    return this.nodes.get(node)?.checks
  }

  error(node: string): string | undefined {
    return this.nodes.get(node)?.error
  }

  /** Calls cb once when the node's checks (or the query's failure) change; the loop runs while anyone waits. */
  watch(node: string, cb: () => void): () => void {
    let w = this.nodes.get(node)
    if (!w) {
      w = {index: 0, failures: 0, waiters: new Set()}
      this.nodes.set(node, w)
    }
    w.waiters.add(cb)
    if (!w.abort) this.loop(node, w)
    const watched = w
    return () => {
      watched.waiters.delete(cb)
      // The alias check re-arms right after its callback: stop only when nobody did by the next turn.
      this.timers.after(0, () => {
        if (watched.waiters.size > 0 || this.nodes.get(node) !== watched) return
        watched.abort?.abort()
        this.nodes.delete(node)
      })
    }
  }

  /** Stops every query loop (agent shutdown). */
  close(): void {
    for (const w of this.nodes.values()) w.abort?.abort()
    this.nodes.clear()
  }

  private loop(node: string, w: Watched): void {
    const abort = new AbortController()
    w.abort = abort
    const next = (delayMs: number) => {
      if (abort.signal.aborted) return
      if (delayMs > 0) this.timers.after(delayMs, once)
      else void once()
    }
    const once = async () => {
      if (abort.signal.aborted) return
      try {
        const r = await this.query({Node: node, MinQueryIndex: w.index, MaxQueryTime: MAX_QUERY_TIME_MS, AllowStale: true, MaxStaleDuration: MAX_STALE_MS}, abort.signal)
        if (abort.signal.aborted) return
        w.failures = 0
        const changed = w.checks === undefined || w.error !== undefined || r.index !== w.index
        // Never block on index 0: the next call would return at once, a hot loop.
        w.index = Math.max(1, r.index)
        w.checks = r.checks
        w.error = undefined
        if (changed && this.services) {
          // Looked up with each change, for an aliased service none of the node's checks names.
          w.services = await this.services({Node: node, AllowStale: true, MaxStaleDuration: MAX_STALE_MS}).then(
            (ids) => new Set(ids),
            () => undefined,
          )
          if (abort.signal.aborted) return
        }
        if (changed) this.fire(w)
        next(0)
      } catch (e) {
        if (abort.signal.aborted) return
        w.failures++
        if (w.failures > 1) {
          w.error = `Failure checking aliased node or service: ${(e as Error)?.message ?? String(e)}`
          this.fire(w)
        }
        this.log.debug('alias check: query of the aliased node failed', {node, failures: w.failures, error: String(e)})
        const over = w.failures - BACKOFF_AFTER_FAILURES
        next(over > 0 ? Math.min(BACKOFF_MAX_MS, 1000 * 2 ** Math.min(over, 16)) : 0)
      }
    }
    next(0)
  }

  private fire(w: Watched): void {
    const waiters = [...w.waiters]
    w.waiters.clear()
    for (const cb of waiters) cb()
  }
}
