import {seededRandom} from '../../../src/agent/env/prng.js'
import {CoordinateClient} from '../../../src/agent/gossip/coordinate/index.js'

/** True RTTs in ms between every pair of simulated nodes (symmetric, zero diagonal). */
export type Truth = number[][]

function matrix(n: number, rtt: (i: number, j: number) => number): Truth {
  const m: Truth = Array.from({length: n}, () => new Array<number>(n).fill(0))
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m[i]![j] = m[j]![i] = rtt(i, j)
  return m
}

/** Nodes evenly spaced on a line. */
export const line = (n: number, spacingMs: number): Truth => matrix(n, (i, j) => (j - i) * spacingMs)

/** Nodes on a square grid (n a perfect square), RTT = Euclidean grid distance. */
export function grid(n: number, spacingMs: number): Truth {
  const side = Math.floor(Math.sqrt(n))
  return matrix(n, (i, j) => Math.hypot((j % side) - (i % side), Math.floor(j / side) - Math.floor(i / side)) * spacingMs)
}

/** Two LANs joined by a WAN link: inside a half lanMs, across lanMs + wanMs. */
export function split(n: number, lanMs: number, wanMs: number): Truth {
  const half = Math.floor(n / 2)
  return matrix(n, (i, j) => lanMs + ((i <= half) !== (j <= half) ? wanMs : 0))
}

/**
 * Gossip in miniature: every cycle each node probes one peer chosen at random and
 * feeds the true RTT to its client, as the memberlist prober will.
 */
export function simulate(truth: Truth, cycles: number, seed = 1): CoordinateClient[] {
  const rnd = seededRandom(seed)
  const clients = truth.map(() => new CoordinateClient({random: rnd.float}))
  for (let c = 0; c < cycles; c++) {
    for (let i = 0; i < clients.length; i++) {
      const j = rnd.int(clients.length)
      if (j === i) continue
      clients[i]!.update(`node_${j}`, clients[j]!.getCoordinate(), truth[i]![j]!)
    }
  }
  return clients
}

/** Mean and worst relative error of the estimated RTT over every pair. */
export function evaluate(clients: CoordinateClient[], truth: Truth): {avg: number; max: number} {
  let sum = 0
  let max = 0
  let count = 0
  for (let i = 0; i < clients.length; i++) {
    for (let j = i + 1; j < clients.length; j++) {
      const est = clients[i]!.distanceTo(clients[j]!.getCoordinate())
      const actual = truth[i]![j]! / 1000
      const err = Math.abs(est - actual) / actual
      sum += err
      max = Math.max(max, err)
      count++
    }
  }
  return {avg: sum / count, max}
}
