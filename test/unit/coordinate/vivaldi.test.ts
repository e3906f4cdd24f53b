import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {
  CoordinateClient,
  CoordinateError,
  DimensionalityError,
  applyForce,
  defaultVivaldiConfig,
  distance,
  isValidCoordinate,
  newCoordinate,
  rawDistance,
  unitVectorAt,
  type Coordinate,
} from '../../../src/agent/gossip/coordinate/index.js'
import {evaluate, grid, line, simulate, split} from './topology.js'

const cfg3 = {...defaultVivaldiConfig(), dimensionality: 3, heightMin: 0}
const at = (vec: number[], extra: Partial<Coordinate> = {}): Coordinate => ({...newCoordinate(cfg3), Vec: vec, ...extra})
const rnd = () => seededRandom(7).float

describe('coordinate geometry', () => {
  it('starts at the origin with maximal error and the minimum height (Serf defaults)', () => {
    const c = newCoordinate(defaultVivaldiConfig())
    expect(c).toEqual({Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 10e-6})
  })

  it('measures Euclidean distance plus heights, adding adjustments only when the sum stays positive', () => {
    const a = at([-0.5, 1.3, 2.4])
    const b = at([1.2, -2.3, 3.4])
    expect(distance(a, a)).toBe(0)
    expect(distance(a, b)).toBeCloseTo(4.104875150354758, 12)
    expect(distance(b, a)).toBeCloseTo(distance(a, b), 12)
    expect(distance({...a, Adjustment: -1e6}, b)).toBeCloseTo(4.104875150354758, 12)
    const adj = {...a, Adjustment: 0.1}
    expect(distance(adj, {...b, Adjustment: 0.2})).toBeCloseTo(4.404875150354758, 12)
    expect(distance({...adj, Height: 0.7}, {...b, Adjustment: 0.2, Height: 0.1})).toBeCloseTo(5.204875150354758, 12)
    expect(rawDistance({...adj, Height: 0.7}, {...b, Height: 0.1})).toBeCloseTo(4.904875150354758, 12)
  })

  it('refuses to compare coordinates of different dimensionality', () => {
    expect(() => distance(at([0, 0, 0]), at([0, 0, 0, 0]))).toThrow(DimensionalityError)
    expect(() => applyForce(cfg3, at([0, 0, 0]), 1, at([0, 0]), rnd())).toThrow(DimensionalityError)
  })

  it('pushes along the line between the points, by the force', () => {
    const above = at([0, 0, 2.9])
    const c = applyForce(cfg3, at([0, 0, 0]), 5.3, above, rnd())
    expect(c.Vec.map((x) => +x.toFixed(9))).toEqual([0, 0, -5.3])
    const d = applyForce(cfg3, c, 2.0, at([3.4, 0, -5.3]), rnd())
    expect(d.Vec.map((x) => +x.toFixed(9))).toEqual([-2, 0, -5.3])
  })

  it('moves the height with the force but never below the minimum', () => {
    const cfg = {...cfg3, heightMin: 10e-6}
    const origin = newCoordinate(cfg)
    const above = at([0, 0, 2.9]) // height 0
    const pushed = applyForce(cfg, origin, 5.3, above, rnd())
    expect(pushed.Height).toBeCloseTo(10e-6 + (5.3 * 10e-6) / 2.9, 15)
    expect(applyForce(cfg, origin, -5.3, above, rnd()).Height).toBe(10e-6)
  })

  it('picks a random unit direction from the injected source when points coincide', () => {
    const origin = at([0, 0, 0])
    const c = applyForce(cfg3, origin, 1.0, origin, seededRandom(3).float)
    expect(distance(origin, c)).toBeCloseTo(1.0, 9)
    const u = unitVectorAt([1, 2, 3], [1, 2, 3], seededRandom(3).float)
    expect(Math.hypot(...u.unit)).toBeCloseTo(1, 12)
    expect(u.mag).toBe(0)
    // A source that always answers 0.5 yields a zero vector: fall back to the first axis.
    expect(unitVectorAt([1, 2, 3], [1, 2, 3], () => 0.5)).toEqual({unit: [1, 0, 0], mag: 0})
    const v = unitVectorAt([1, 2, 3], [0.5, 0.6, 0.7], () => 0.5)
    expect(v.unit[0]).toBeCloseTo(0.18257418583505536, 12)
    expect(v.unit[2]).toBeCloseTo(0.8398412548412546, 12)
  })

  it('flags NaN and infinite components as invalid', () => {
    expect(isValidCoordinate(at([0, 0, 0]))).toBe(true)
    expect(isValidCoordinate(at([NaN, 0, 0]))).toBe(false)
    expect(isValidCoordinate(at([0, 0, 0], {Error: Infinity}))).toBe(false)
    expect(isValidCoordinate(at([0, 0, 0], {Height: -Infinity}))).toBe(false)
    expect(isValidCoordinate(at([0, 0, 0], {Adjustment: NaN}))).toBe(false)
  })
})

describe('CoordinateClient', () => {
  const client = (over: Partial<typeof cfg3> = {}) => new CoordinateClient({config: {dimensionality: 3, ...over}, random: rnd()})

  it('moves away from a peer that answers slower than the model expects', () => {
    const c = client()
    const other = {...newCoordinate({...defaultVivaldiConfig(), dimensionality: 3}), Vec: [0, 0, 0.001]}
    const next = c.update('node', other, 2 * 0.001 * 1000)
    expect(next.Vec[2]).toBeLessThan(0)
    expect(c.getCoordinate()).toEqual(next)
    next.Vec[2] = 99
    expect(c.getCoordinate().Vec[2]).not.toBe(99) // a copy, not the state
    c.setCoordinate(next)
    expect(c.getCoordinate().Vec[2]).toBe(99)
  })

  it('estimates RTT to a peer from its coordinate', () => {
    const c = client({heightMin: 0})
    expect(c.distanceTo(at([0, 0, 12.345]))).toBeCloseTo(12.345, 12)
  })

  it('rejects RTTs outside [0, 10 s] and leaves its estimate alone', () => {
    const c = client()
    const other = {...newCoordinate({...defaultVivaldiConfig(), dimensionality: 3}), Vec: [0, 0, 0.001]}
    const before = c.distanceTo(other)
    for (const bad of [Number.MAX_SAFE_INTEGER, -35_000, 11_000, NaN, Infinity]) {
      expect(() => c.update('node', other, bad)).toThrow(expect.objectContaining({code: 'rtt-range'}))
      expect(c.distanceTo(other)).toBe(before)
    }
    expect(() => c.update('node', other, 10_000)).not.toThrow()
    expect(() => c.update('node', other, 0)).not.toThrow()
  })

  it('rejects invalid and incompatible coordinates, in update and set', () => {
    const c = client()
    const nan = at([NaN, 0, 0])
    expect(() => c.update('node', nan, 250)).toThrow(CoordinateError)
    expect(() => c.update('node', nan, 250)).toThrow('coordinate is invalid')
    expect(() => c.setCoordinate(nan)).toThrow('coordinate is invalid')
    const wide = at([0, 0, 0, 0, 0, 0])
    expect(() => c.update('node', wide, 250)).toThrow("dimensions aren't compatible")
    expect(() => c.setCoordinate(wide)).toThrow(expect.objectContaining({code: 'dimensionality'}))
    expect(isValidCoordinate(c.getCoordinate())).toBe(true)
    expect(c.stats().resets).toBe(0)
  })

  it('resets to the origin (and counts it) when its own state is poisoned', () => {
    const c = client()
    const other = newCoordinate({...defaultVivaldiConfig(), dimensionality: 3})
    // Finite but so large that the next step overflows to Infinity/NaN.
    c.setCoordinate(at([Number.MAX_VALUE, Number.MAX_VALUE, Number.MAX_VALUE], {Error: 1.5}))
    const next = c.update('node', other, 250)
    expect(next).toEqual(newCoordinate({...defaultVivaldiConfig(), dimensionality: 3}))
    expect(c.stats()).toEqual({resets: 1})
  })

  it('filters latency through the median of the last three samples per peer', () => {
    // A coordinate at the peer's own position: each update's adjustment sample is the
    // filtered RTT minus the model distance, which lets the filter be read back.
    const seen: number[] = []
    const c = new CoordinateClient({config: {dimensionality: 3, adjustmentWindowSize: 1, vivaldiCC: 0, gravityRho: Infinity}, random: rnd()})
    const peer = c.getCoordinate()
    const feed = (node: string, ms: number) => {
      const next = c.update(node, peer, ms)
      seen.push(+(2 * next.Adjustment + rawDistanceTo(c, peer)).toFixed(9))
    }
    const rawDistanceTo = (cl: CoordinateClient, p: Coordinate) => rawDistance(cl.getCoordinate(), p)
    for (const ms of [201, 200, 207, 1900, 203, 199, 211]) feed('alice', ms)
    expect(seen).toEqual([0.201, 0.201, 0.201, 0.207, 0.207, 0.203, 0.203])
    feed('bob', 310)
    expect(seen.at(-1)).toBe(0.31)
    c.forgetNode('alice')
    feed('alice', 888)
    expect(seen.at(-1)).toBe(0.888)
  })

  it('uses only the injected random source (same seed, same coordinates)', () => {
    const a = simulate(line(5, 10), 50, 42).map((c) => c.getCoordinate())
    const b = simulate(line(5, 10), 50, 42).map((c) => c.getCoordinate())
    expect(a).toEqual(b)
  })
})

/**
 * Serf's performance tests assert one run with Go's seed-1 random sequence; how close a
 * run gets varies with the sequence (an equidistant LAN cannot be embedded exactly, so
 * some runs settle in a local minimum). So each topology runs under five seeds and the
 * median run must stay within twice Serf's bound; and every run must have learned the
 * topology (a fresh coordinate set is ~100% wrong).
 */
describe('convergence on simulated topologies', () => {
  const SEEDS = [1, 2, 3, 4, 5]
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const runs = (truth: number[][]) => SEEDS.map((seed) => evaluate(simulate(truth, 1000, seed), truth))

  it('starts far off: untrained coordinates estimate every RTT as ~0', () => {
    const truth = line(10, 10)
    expect(evaluate(simulate(truth, 0), truth).avg).toBeGreaterThan(0.99)
  })

  it('nodes on a line, 10 ms apart', () => {
    const r = runs(line(10, 10))
    expect(median(r.map((s) => s.avg))).toBeLessThan(2 * 0.0018)
    expect(median(r.map((s) => s.max))).toBeLessThan(2 * 0.0092)
    for (const s of r) expect(s.avg).toBeLessThan(0.01)
  })

  it('a 5×5 grid, 10 ms spacing', () => {
    const r = runs(grid(25, 10))
    expect(median(r.map((s) => s.avg))).toBeLessThan(2 * 0.0015)
    expect(median(r.map((s) => s.max))).toBeLessThan(2 * 0.022)
    for (const s of r) expect(s.avg).toBeLessThan(0.01)
  })

  it('two 1 ms LANs joined by a 10 ms WAN link', () => {
    const r = runs(split(25, 1, 10))
    expect(median(r.map((s) => s.avg))).toBeLessThan(2 * 0.00006)
    expect(median(r.map((s) => s.max))).toBeLessThan(2 * 0.00048)
    for (const s of r) expect(s.avg).toBeLessThan(0.01)
  })
})

describe('coordinateFromWire', () => {
  it('accepts the decoded msgpack map of a Serf coordinate and refuses other shapes', async () => {
    const {coordinateFromWire, PING_VERSION} = await import('../../../src/agent/gossip/coordinate/index.js')
    expect(PING_VERSION).toBe(1)
    const wire = {Vec: [0.001, 0, 0, 0, 0, 0, 0, 0], Error: 0.3, Adjustment: -0.0001, Height: 1e-5}
    expect(coordinateFromWire(wire)).toEqual(wire)
    expect(coordinateFromWire(null)).toBeUndefined()
    expect(coordinateFromWire({...wire, Vec: 'x'})).toBeUndefined()
    expect(coordinateFromWire({...wire, Vec: [1, '2']})).toBeUndefined()
    expect(coordinateFromWire({Vec: [0], Error: 1, Adjustment: 0})).toBeUndefined()
  })
})
