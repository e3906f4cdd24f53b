/**
 * Tuning of the Vivaldi model. The defaults are Serf's (and so Consul's): a client
 * built from them produces coordinates a real Consul or Serf agent can compare
 * with its own, so none of them may drift.
 */
export interface VivaldiConfig {
  /** Length of Vec. Coordinates of different lengths cannot be compared. */
  dimensionality: number
  /** Error estimate of a fresh coordinate, and the cap the estimate never exceeds. */
  vivaldiErrorMax: number
  /** How fast the error estimate follows new observations (0..1). */
  vivaldiCE: number
  /** How far one observation moves the coordinate (0..1). */
  vivaldiCC: number
  /** Samples kept for the adjustment term (0 disables it). */
  adjustmentWindowSize: number
  /** Lower bound of the height, in seconds: a height never reaches zero. */
  heightMin: number
  /** RTT samples per peer whose median feeds the model (damps one-off spikes). */
  latencyFilterSize: number
  /** Distance (seconds) at which the pull back to the origin becomes strong. */
  gravityRho: number
}

export function defaultVivaldiConfig(): VivaldiConfig {
  return {
    dimensionality: 8,
    vivaldiErrorMax: 1.5,
    vivaldiCE: 0.25,
    vivaldiCC: 0.25,
    adjustmentWindowSize: 20,
    heightMin: 10e-6,
    latencyFilterSize: 3,
    gravityRho: 150,
  }
}
