import type {VivaldiConfig} from './config.js'

/**
 * A network coordinate as Serf and Consul exchange it (the JSON and msgpack field
 * names are these). All lengths are seconds: Vec is a point in Euclidean space,
 * Height models the access link every path from the node crosses, Adjustment
 * corrects for what the Euclidean model cannot express, Error is the node's own
 * confidence in the estimate.
 */
export interface Coordinate {
  Vec: number[]
  Error: number
  Adjustment: number
  Height: number
}

/** Below this, lengths count as zero (avoids dividing by nearly nothing). */
export const ZERO_THRESHOLD = 1.0e-6

/** A coordinate at the origin with maximal error: what a node starts from. */
export function newCoordinate(config: VivaldiConfig): Coordinate {
  return {
    Vec: new Array<number>(config.dimensionality).fill(0),
    Error: config.vivaldiErrorMax,
    Adjustment: 0,
    Height: config.heightMin,
  }
}

export function cloneCoordinate(c: Coordinate): Coordinate {
  return {Vec: [...c.Vec], Error: c.Error, Adjustment: c.Adjustment, Height: c.Height}
}

/** False when any component is NaN or infinite (or not a number at all). */
export function isValidCoordinate(c: Coordinate): boolean {
  return c.Vec.every(finite) && finite(c.Error) && finite(c.Adjustment) && finite(c.Height)
}

export function isCompatible(a: Coordinate, b: Coordinate): boolean {
  return a.Vec.length === b.Vec.length
}

/** Thrown when coordinates of different dimensionality meet: a programming error, never user input. */
export class DimensionalityError extends Error {
  constructor() {
    super('coordinate dimensionality does not match')
    this.name = 'DimensionalityError'
  }
}

/**
 * Estimated round-trip time from a to b, in seconds: Euclidean distance of the
 * vectors plus both heights, plus both adjustments unless that would make the
 * estimate zero or negative (an adjustment may only refine, never invert).
 */
export function distance(a: Coordinate, b: Coordinate): number {
  const raw = rawDistance(a, b)
  const adjusted = raw + a.Adjustment + b.Adjustment
  return adjusted > 0 ? adjusted : raw
}

/** Distance without the adjustment terms (what the adjustment window learns from). */
export function rawDistance(a: Coordinate, b: Coordinate): number {
  if (!isCompatible(a, b)) throw new DimensionalityError()
  return magnitude(diff(a.Vec, b.Vec)) + a.Height + b.Height
}

/**
 * A copy of c pushed by `force` (seconds; negative pulls) along the line from other
 * to c. The height takes its share of the push too, but only when the two points
 * are apart: for coincident points the direction is random and says nothing about
 * the access links.
 */
export function applyForce(config: VivaldiConfig, c: Coordinate, force: number, other: Coordinate, random: () => number): Coordinate {
  if (!isCompatible(c, other)) throw new DimensionalityError()
  const {unit, mag} = unitVectorAt(c.Vec, other.Vec, random)
  const out = cloneCoordinate(c)
  out.Vec = add(out.Vec, mul(unit, force))
  if (mag > ZERO_THRESHOLD) {
    out.Height = Math.max(((out.Height + other.Height) * force) / mag + out.Height, config.heightMin)
  }
  return out
}

/**
 * Unit vector pointing from b to a, and the distance between them. When the points
 * coincide any direction will do: a random one (so nodes that start together fan
 * out), or the first axis if the random draw itself came out near zero; the
 * returned magnitude is then 0.
 */
export function unitVectorAt(a: number[], b: number[], random: () => number): {unit: number[]; mag: number} {
  const d = diff(a, b)
  const mag = magnitude(d)
  if (mag > ZERO_THRESHOLD) return {unit: mul(d, 1 / mag), mag}
  const r = d.map(() => random() - 0.5)
  const rmag = magnitude(r)
  if (rmag > ZERO_THRESHOLD) return {unit: mul(r, 1 / rmag), mag: 0}
  const axis = new Array<number>(a.length).fill(0)
  axis[0] = 1
  return {unit: axis, mag: 0}
}

function finite(x: unknown): boolean {
  return typeof x === 'number' && Number.isFinite(x)
}

export function add(a: number[], b: number[]): number[] {
  return a.map((x, i) => x + b[i]!)
}

export function diff(a: number[], b: number[]): number[] {
  return a.map((x, i) => x - b[i]!)
}

export function mul(v: number[], f: number): number[] {
  return v.map((x) => x * f)
}

export function magnitude(v: number[]): number {
  let sum = 0
  for (const x of v) sum += x * x
  return Math.sqrt(sum)
}
