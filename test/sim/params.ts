import type {Random} from '../../src/agent/env/types.js'
import type {NetParams} from './network.js'

/** The fault kinds the nemesis can inject; each seed enables a random subset (swarm testing). */
export const FAULT_KINDS = [
  'partition-halves',
  'isolate-leader',
  'one-way',
  'crash',
  'crash-leader',
  'pause',
  'pause-leader',
  'transfer-leader',
] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

/** Everything a run depends on besides the code: drawn from the seed, printed with it. */
export interface SimParams {
  seed: number
  nodes: number
  tickMs: number
  electionTicks: number
  heartbeatTicks: number
  snapshotThreshold: number
  trailingLogs: number
  requestTimeoutMs: number
  /** Commit-only batches (sync: false) are not made durable until the next synced write. */
  lazyCommitSync: boolean
  /**
   * 0: the Raft store syncs inside persist(). Otherwise it offers persistDeferred (as the
   * SQLite store does) and each sync completes after a delay drawn in [0, this] virtual ms.
   */
  diskSyncMaxMs: number
  /**
   * Share of writes a client sends with propose(data, {forward: true}): a follower then
   * forwards the proposal to the leader in the Raft stream (as server endpoints do for KV writes).
   */
  forwardShare: number
  net: NetParams
  /** Per node: wall-clock offset and clock rate. */
  clocks: {skewMs: number; rate: number}[]
  /** The clock-rate bound the nodes are told (RaftNode clockDriftBound); default: the true one. */
  clockDriftBound?: number
  faults: FaultKind[]
  /** Mean virtual ms between nemesis actions, and how long a fault lasts at most. */
  faultEveryMs: number
  faultMaxMs: number
  /** Length of the faulty (safety) phase in virtual ms. */
  safetyMs: number
  clients: number
  /** Register keys in use at once; a key is retired after opsPerKey operations. */
  keys: number
  opsPerKey: number
  /** Share of operations that are unique set-workload adds (durability check), up to maxAdds. */
  addShare: number
  maxAdds: number
  /** One-way client ↔ server latency bounds (virtual ms) and think time between ops. */
  clientDelayMaxMs: number
  thinkMaxMs: number
}

export type ParamOverrides = Partial<Omit<SimParams, 'seed' | 'net'>> & {net?: Partial<NetParams>}

const pick = <T>(r: Random, xs: readonly T[]): T => xs[r.int(xs.length)]!
const between = (r: Random, lo: number, hi: number): number => lo + r.float() * (hi - lo)
const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d

/** Draws a scenario from its own PRNG stream (the run uses other streams). */
export function drawParams(seed: number, r: Random, over: ParamOverrides = {}): SimParams {
  const nodes = pick(r, [3, 3, 5])
  const electionTicks = pick(r, [5, 8, 10])
  const snapshotsOften = r.float() < 0.5
  const faults = FAULT_KINDS.filter(() => r.float() < 0.6)
  // Clock rates: none, within ±5%, or a wild ±30% (safety must not depend on it: reads use ReadIndex).
  const drift = pick(r, [0, 0, 0.05, 0.05, 0.3])
  const net: NetParams = {
    delayMinMs: round(between(r, 0, 3)),
    delayMeanMs: 0,
    lossP: r.float() < 0.5 ? round(between(r, 0, 0.08)) : 0,
    dupP: r.float() < 0.3 ? round(between(r, 0, 0.05)) : 0,
    reorder: r.float() < 0.5,
    linkSpread: round(between(r, 1, 3)),
    slowP: r.float() < 0.3 ? round(between(r, 0, 0.02), 4) : 0,
    slowMaxMs: Math.round(between(r, 50, 1_500)),
  }
  net.delayMeanMs = round(net.delayMinMs + between(r, 0.5, 25))
  const p: SimParams = {
    seed,
    nodes,
    tickMs: 50,
    electionTicks,
    heartbeatTicks: 1,
    snapshotThreshold: snapshotsOften ? 4 + r.int(40) : 100_000,
    trailingLogs: snapshotsOften ? r.int(8) : 10_000,
    requestTimeoutMs: 2_000 + r.int(3_000),
    lazyCommitSync: r.float() < 0.5,
    diskSyncMaxMs: 0,
    forwardShare: 0,
    net: {...net, ...over.net},
    clocks: Array.from({length: nodes}, () => ({
      skewMs: Math.round(between(r, -3_600_000, 3_600_000)),
      rate: drift > 0 ? round(between(r, 1 - drift, 1 + drift), 4) : 1,
    })),
    faults,
    faultEveryMs: Math.round(between(r, 300, 2_000)),
    faultMaxMs: Math.round(between(r, 500, 4_000)),
    safetyMs: Math.round(between(r, 6_000, 14_000)),
    clients: 2 + r.int(4),
    keys: 1 + r.int(3),
    opsPerKey: 60,
    addShare: round(between(r, 0.1, 0.3)),
    maxAdds: 150,
    clientDelayMaxMs: round(between(r, 0, 5)),
    thinkMaxMs: round(between(r, 5, 60)),
  }
  // Drawn last, so every other parameter of a seed stays what it was before it existed.
  p.diskSyncMaxMs = pick(r, [0, 0.3, 2, 10])
  p.forwardShare = pick(r, [0, 0.5, 1])
  const {net: _n, ...rest} = over
  const merged = {...p, ...rest}
  if (rest.nodes !== undefined && rest.clocks === undefined) {
    merged.clocks = Array.from({length: merged.nodes}, (_, i) => p.clocks[i] ?? {skewMs: 0, rate: 1})
  }
  return merged
}

/** One line per scenario, printed with a failing seed. */
export function describeParams(p: SimParams): string {
  return JSON.stringify(p)
}
