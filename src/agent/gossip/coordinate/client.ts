import {defaultVivaldiConfig, type VivaldiConfig} from './config.js'
import {
  applyForce,
  cloneCoordinate,
  distance,
  isCompatible,
  isValidCoordinate,
  newCoordinate,
  rawDistance,
  ZERO_THRESHOLD,
  type Coordinate,
} from './coordinate.js'
import {CoordinateError} from './errors.js'

/** Longest RTT the model accepts; anything longer is a measuring fault, not a network. */
export const MAX_RTT_MS = 10_000

export interface CoordinateClientStats {
  /** Times the coordinate went invalid (NaN/Inf) and was reset to the origin. */
  resets: number
}

export interface CoordinateClientOptions {
  config?: Partial<VivaldiConfig>
  /** Uniform in [0, 1): the only randomness (a direction for coincident points). Pass env.random.float. */
  random: () => number
}

/**
 * One node's Vivaldi state: its own coordinate, refined by every RTT it measures to a
 * peer whose coordinate it knows (Serf's coordinate.Client). Pure and synchronous: no
 * clock, no I/O; the caller supplies the RTTs and the randomness.
 *
 * Each observation runs, in order: the per-peer latency filter (median of the last few
 * samples), the Vivaldi spring step (error-weighted), the adjustment window, and a
 * weak gravity toward the origin that keeps the whole cluster from drifting away.
 */
export class CoordinateClient {
  readonly config: VivaldiConfig
  private coord: Coordinate
  private readonly origin: Coordinate
  private readonly random: () => number
  private adjustmentIndex = 0
  private readonly adjustmentSamples: number[]
  private readonly latencySamples = new Map<string, number[]>()
  private resets = 0

  constructor(opts: CoordinateClientOptions) {
    this.config = {...defaultVivaldiConfig(), ...opts.config}
    if (!(this.config.dimensionality > 0) || !Number.isInteger(this.config.dimensionality)) {
      throw new RangeError('dimensionality must be a positive integer')
    }
    this.random = opts.random
    this.coord = newCoordinate(this.config)
    this.origin = newCoordinate(this.config)
    this.adjustmentSamples = new Array<number>(this.config.adjustmentWindowSize).fill(0)
  }

  /** A copy of the current coordinate (what acks carry and the agent reports to the catalog). */
  getCoordinate(): Coordinate {
    return cloneCoordinate(this.coord)
  }

  /** Replace the coordinate (e.g. restored from a snapshot); CoordinateError if unusable. */
  setCoordinate(c: Coordinate): void {
    this.check(c)
    this.coord = cloneCoordinate(c)
  }

  /** Drop a peer's latency samples (it left): a returning peer starts a fresh filter. */
  forgetNode(node: string): void {
    this.latencySamples.delete(node)
  }

  stats(): CoordinateClientStats {
    return {resets: this.resets}
  }

  /** Estimated RTT in seconds from this node to a peer's coordinate. */
  distanceTo(other: Coordinate): number {
    return distance(this.coord, other)
  }

  /**
   * Feed one RTT measurement (milliseconds) to `node`, whose coordinate is `other`;
   * returns a copy of the updated coordinate. Throws CoordinateError, changing
   * nothing, for an incompatible or non-finite coordinate or an RTT outside
   * [0, 10 s].
   */
  update(node: string, other: Coordinate, rttMs: number): Coordinate {
    this.check(other)
    if (!(rttMs >= 0 && rttMs <= MAX_RTT_MS)) {
      throw new CoordinateError('rtt-range', `round trip time not in valid range, duration ${rttMs}ms is not a positive value less than ${MAX_RTT_MS / 1000}s`)
    }
    const rtt = this.latencyFilter(node, rttMs / 1000)
    this.updateVivaldi(other, rtt)
    this.updateAdjustment(other, rtt)
    this.updateGravity()
    // Poisoned input that slipped past the checks (or float overflow) must not
    // stick: start over from the origin rather than gossip garbage.
    if (!isValidCoordinate(this.coord)) {
      this.resets++
      this.coord = newCoordinate(this.config)
    }
    return cloneCoordinate(this.coord)
  }

  private check(c: Coordinate): void {
    if (!Array.isArray(c?.Vec) || !isCompatible(this.coord, c)) {
      throw new CoordinateError('dimensionality', "dimensions aren't compatible")
    }
    if (!isValidCoordinate(c)) throw new CoordinateError('invalid', 'coordinate is invalid')
  }

  /** Median (upper median for even counts) of the peer's last few samples, in seconds. */
  private latencyFilter(node: string, rtt: number): number {
    const samples = this.latencySamples.get(node) ?? []
    samples.push(rtt)
    if (samples.length > this.config.latencyFilterSize) samples.shift()
    this.latencySamples.set(node, samples)
    const sorted = [...samples].sort((a, b) => a - b)
    return sorted[Math.floor(sorted.length / 2)]!
  }

  private updateVivaldi(other: Coordinate, rttIn: number): void {
    const cfg = this.config
    const rtt = Math.max(rttIn, ZERO_THRESHOLD)
    const dist = distance(this.coord, other)
    const wrongness = Math.abs(dist - rtt) / rtt
    // Trust the observation in proportion to how unsure we are relative to the peer.
    const totalError = Math.max(this.coord.Error + other.Error, ZERO_THRESHOLD)
    const weight = this.coord.Error / totalError
    const error = cfg.vivaldiCE * weight * wrongness + this.coord.Error * (1 - cfg.vivaldiCE * weight)
    this.coord = {...this.coord, Error: Math.min(error, cfg.vivaldiErrorMax)}
    const force = cfg.vivaldiCC * weight * (rtt - dist)
    this.coord = applyForce(cfg, this.coord, force, other, this.random)
  }

  /** Adjustment = half the mean residual (observed − modelled) over the window. */
  private updateAdjustment(other: Coordinate, rtt: number): void {
    const size = this.config.adjustmentWindowSize
    if (size === 0) return
    this.adjustmentSamples[this.adjustmentIndex] = rtt - rawDistance(this.coord, other)
    this.adjustmentIndex = (this.adjustmentIndex + 1) % size
    let sum = 0
    for (const s of this.adjustmentSamples) sum += s
    this.coord = {...this.coord, Adjustment: sum / (2 * size)}
  }

  /** A pull toward the origin that grows with the square of the distance from it. */
  private updateGravity(): void {
    const dist = distance(this.origin, this.coord)
    const force = -1 * Math.pow(dist / this.config.gravityRho, 2)
    this.coord = applyForce(this.config, this.coord, force, this.origin, this.random)
  }
}
