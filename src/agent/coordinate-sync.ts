import type {Env, Logger, TimerHandle} from './env/types.js'
import type {Coordinate} from './gossip/coordinate/coordinate.js'

/** Consul's defaults: about 64 coordinate writes per second across the cluster, each agent at most every 15 s. */
export const SYNC_COORDINATE_RATE_TARGET = 64
export const SYNC_COORDINATE_INTERVAL_MIN_MS = 15_000

/** Below one update a day the rate is meaningless; use the minimum interval (Consul's lib.RateScaledInterval). */
const MIN_RATE = 1 / 86_400

/**
 * How long one agent waits between reports so that n agents together stay near
 * `rate` reports per second, but never less than `minMs`.
 */
export function rateScaledIntervalMs(rate: number, minMs: number, n: number): number {
  if (rate <= MIN_RATE) return minMs
  return Math.max(minMs, (1000 * n) / rate)
}

export interface CoordinateSyncDeps {
  env: Env
  log: Logger
  nodeName: string
  /** Network segment of the LAN pool ("" = default). */
  segment?: string
  rateTarget?: number
  intervalMinMs?: number
  /** LAN pool size now (the interval grows with it); 1 when unknown. */
  clusterSize?: () => number
  /** The local LAN coordinate; undefined skips a round (nothing measured to report). */
  getCoordinate: () => Coordinate | undefined
  /** The write path: Coordinate.Update on a server (queued for a Raft batch), an RPC from a client. */
  send: (entry: {Node: string; Segment: string; Coord: Coordinate}) => void | Promise<void>
}

export interface CoordinateSync {
  stop(): void
}

/**
 * Consul's agent.sendCoordinate: every rate-scaled interval, plus a random stagger of
 * up to one more interval so agents started together do not report together, send
 * this node's LAN coordinate to the catalog. A failed send is logged and the loop
 * goes on; the next round carries a fresher coordinate anyway.
 */
export function startCoordinateSync(d: CoordinateSyncDeps): CoordinateSync {
  const rate = d.rateTarget ?? SYNC_COORDINATE_RATE_TARGET
  const minMs = d.intervalMinMs ?? SYNC_COORDINATE_INTERVAL_MIN_MS
  let timer: TimerHandle | undefined
  let stopped = false

  const schedule = () => {
    if (stopped) return
    const interval = rateScaledIntervalMs(rate, minMs, Math.max(1, d.clusterSize?.() ?? 1))
    const wait = interval + d.env.random.float() * interval
    timer = d.env.timers.after(wait, () => void round())
  }

  const round = async () => {
    try {
      const coord = d.getCoordinate()
      if (coord) await d.send({Node: d.nodeName, Segment: d.segment ?? '', Coord: coord})
    } catch (e) {
      d.log.error('Coordinate update error', {error: String((e as Error)?.message ?? e)})
    }
    schedule()
  }

  schedule()
  return {
    stop() {
      stopped = true
      timer?.cancel()
    },
  }
}
