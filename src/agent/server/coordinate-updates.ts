import type {Env, Logger, TimerHandle} from '../env/types.js'
import {HttpError} from '../http/errors.js'
import {defaultVivaldiConfig} from '../gossip/coordinate/config.js'
import {isValidCoordinate, type Coordinate} from '../gossip/coordinate/coordinate.js'
import type {Command} from '../../store/fsm/commands.js'
import type {CoordinateEntry} from '../../store/state/types.js'

/** Consul's `consul.coordinate` defaults; -dev flushes every 100 ms as Consul's dev mode does. */
export const COORDINATE_UPDATE_PERIOD_MS = 5_000
export const DEV_COORDINATE_UPDATE_PERIOD_MS = 100
export const COORDINATE_UPDATE_BATCH_SIZE = 128
export const COORDINATE_UPDATE_MAX_BATCHES = 5

export interface CoordinateUpdatesDeps {
  env: Env
  log: Logger
  /** Replicates a command (the server's Raft apply). */
  apply(cmd: Command): Promise<unknown>
  periodMs?: number
  batchSize?: number
  maxBatches?: number
}

/**
 * The server side of Consul's Coordinate.Update: agents report often, so reports are
 * not written one by one; the latest per node and segment waits here and a timer
 * writes them through Raft in a few batches. What exceeds batchSize × maxBatches in
 * one period is dropped (the nodes report again), which caps the Raft load
 * coordinates may cause however large the cluster.
 */
export class CoordinateUpdates {
  private pending = new Map<string, CoordinateEntry>()
  private timer?: TimerHandle
  private flushing = false
  private readonly periodMs: number
  private readonly batchSize: number
  private readonly maxBatches: number
  private readonly dimensionality = defaultVivaldiConfig().dimensionality

  constructor(private readonly d: CoordinateUpdatesDeps) {
    this.periodMs = d.periodMs ?? COORDINATE_UPDATE_PERIOD_MS
    this.batchSize = d.batchSize ?? COORDINATE_UPDATE_BATCH_SIZE
    this.maxBatches = d.maxBatches ?? COORDINATE_UPDATE_MAX_BATCHES
  }

  start(): void {
    this.timer ??= this.d.env.timers.every(this.periodMs, () => void this.flush())
  }

  stop(): void {
    this.timer?.cancel()
    this.timer = undefined
  }

  /** Reports waiting for the next flush. */
  get size(): number {
    return this.pending.size
  }

  /**
   * Queue a node's coordinate (replacing an unflushed one for the same node and
   * segment). Throws HttpError(500) with Consul's messages for a non-finite or
   * wrongly sized coordinate: those come from buggy or foreign clients.
   */
  update(entry: {Node: string; Segment?: string; Coord: Coordinate}): void {
    if (!isValidCoordinate(entry.Coord)) throw new HttpError(500, 'invalid coordinate')
    if (entry.Coord.Vec.length !== this.dimensionality) throw new HttpError(500, 'incompatible coordinate')
    const segment = entry.Segment ?? ''
    const c = entry.Coord
    this.pending.set(`${entry.Node}:${segment}`, {
      Node: entry.Node,
      Segment: segment,
      Coord: {Vec: [...c.Vec], Error: c.Error, Adjustment: c.Adjustment, Height: c.Height},
    })
  }

  /** Write what is pending, in batches; a failed batch drops the rest of this round. */
  async flush(): Promise<void> {
    if (this.flushing || this.pending.size === 0) return
    this.flushing = true
    const all = [...this.pending.values()]
    this.pending = new Map()
    try {
      const limit = this.batchSize * this.maxBatches
      if (all.length > limit) this.d.log.warn(`Discarded ${all.length - limit} coordinate updates`)
      const kept = all.slice(0, limit)
      for (let i = 0; i < kept.length; i += this.batchSize) {
        await this.d.apply({type: 'coordinate-batch-update', updates: kept.slice(i, i + this.batchSize)})
      }
    } catch (e) {
      this.d.log.warn('Batch update failed', {error: String((e as Error)?.message ?? e)})
    } finally {
      this.flushing = false
    }
  }
}
