import type {Coordinate} from './coordinate.js'

/** Serf's ping payload version: acks carry [1] followed by the msgpack of a Coordinate. */
export const PING_VERSION = 1

/**
 * A decoded ack payload body (the msgpack map after the version byte) as a
 * Coordinate, or undefined when it is not one: missing fields, wrong types. Finite
 * values and dimensionality are the client's to check (update throws for them), so
 * a peer's bad coordinate is reported, not silently dropped here.
 */
export function coordinateFromWire(decoded: unknown): Coordinate | undefined {
  if (decoded === null || typeof decoded !== 'object') return undefined
  const o = decoded as Record<string, unknown>
  const vec = o.Vec
  if (!Array.isArray(vec) || !vec.every((x) => typeof x === 'number')) return undefined
  const num = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : undefined)
  const error = num('Error')
  const adjustment = num('Adjustment')
  const height = num('Height')
  if (error === undefined || adjustment === undefined || height === undefined) return undefined
  return {Vec: [...(vec as number[])], Error: error, Adjustment: adjustment, Height: height}
}
