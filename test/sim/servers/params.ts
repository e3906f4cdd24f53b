import type {Random} from '../../../src/agent/env/types.js'
import type {NetParams} from '../network.js'
import {FAULT_KINDS} from '../params.js'

/**
 * The whole-server simulator's fault kinds: the Raft simulator's menu plus partitions
 * that cut only one of the two server-to-server channels (RPC: forwarding and
 * Status.Peers; Raft: its messages), as a firewall rule on one port would.
 */
export const SERVER_FAULT_KINDS = [...FAULT_KINDS, 'partition-rpc-only', 'partition-raft-only'] as const
export type ServerFaultKind = (typeof SERVER_FAULT_KINDS)[number]

/** Everything a whole-server run depends on besides the code: drawn from the seed, printed with it. */
export interface ServerSimParams {
  seed: number
  servers: number
  /** 'expect': every server starts empty with -bootstrap-expect=N; 'preset': every disk already holds the N-voter configuration. */
  bootstrap: 'expect' | 'preset'
  /** performance.raft_multiplier (tick = 20 ms × multiplier, election timeout 10–20 ticks). */
  raftMultiplier: number
  snapshotThreshold: number
  trailingLogs: number
  snapshotIntervalMs: number
  lazyCommitSync: boolean
  /**
   * 0: the Raft store syncs inside persist(). Otherwise it offers persistDeferred (as the
   * SQLite store does) and each sync completes after a delay drawn in [0, this] virtual ms.
   */
  diskSyncMaxMs: number
  /** Raft messages between servers. */
  raftNet: NetParams
  /** RPC between servers and from clients (same shape; lossP is 0: a stream retransmits, so loss is the slow tail). */
  rpcNet: NetParams
  /** Per server: wall-clock offset and clock rate (within the Raft lease's 10% bound). */
  clocks: {skewMs: number; rate: number}[]
  faults: ServerFaultKind[]
  faultEveryMs: number
  faultMaxMs: number
  safetyMs: number
  /** Clients calling a server's endpoints directly (as HTTP to a server agent would). */
  directClients: number
  /** Client agents (router over the servers from the member list), and clients using them. */
  clientAgents: number
  agentClients: number
  keys: number
  opsPerKey: number
  addShare: number
  maxAdds: number
  thinkMaxMs: number
  /** Virtual ms gossip takes to declare a crashed server failed, and a restarted one alive. */
  failureDetectMs: number
  aliveDetectMs: number
}

export type ServerParamOverrides = Partial<Omit<ServerSimParams, 'seed' | 'raftNet' | 'rpcNet'>>

const pick = <T>(r: Random, xs: readonly T[]): T => xs[r.int(xs.length)]!
const between = (r: Random, lo: number, hi: number): number => lo + r.float() * (hi - lo)
const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d

function drawNet(r: Random, lossMax: number): NetParams {
  const net: NetParams = {
    delayMinMs: round(between(r, 0, 2)),
    delayMeanMs: 0,
    lossP: r.float() < 0.5 ? round(between(r, 0, lossMax)) : 0,
    dupP: r.float() < 0.3 ? round(between(r, 0, 0.03)) : 0,
    reorder: r.float() < 0.5,
    linkSpread: round(between(r, 1, 3)),
    slowP: r.float() < 0.3 ? round(between(r, 0, 0.02), 4) : 0,
    slowMaxMs: Math.round(between(r, 50, 1_000)),
  }
  net.delayMeanMs = round(net.delayMinMs + between(r, 0.5, 15))
  return net
}

/** Draws a scenario from its own PRNG stream (the run uses other streams). */
export function drawServerParams(seed: number, r: Random, over: ServerParamOverrides = {}): ServerSimParams {
  const servers = pick(r, [3, 3, 5])
  const snapshotsOften = r.float() < 0.5
  // The lease assumes clock rates within 10% (RaftNode's default clockDriftBound): stay inside it.
  const drift = pick(r, [0, 0, 0.02, 0.05, 0.09])
  const p: ServerSimParams = {
    seed,
    servers,
    bootstrap: r.float() < 0.5 ? 'expect' : 'preset',
    raftMultiplier: pick(r, [1, 1, 2]),
    snapshotThreshold: snapshotsOften ? 8 + r.int(40) : 16_384,
    trailingLogs: snapshotsOften ? r.int(8) : 10_240,
    snapshotIntervalMs: snapshotsOften ? 200 + r.int(800) : 30_000,
    lazyCommitSync: r.float() < 0.5,
    diskSyncMaxMs: 0,
    raftNet: drawNet(r, 0.08),
    // TCP retransmits: loss on the RPC channel shows as delay (the slow tail), never as a lost call.
    rpcNet: {...drawNet(r, 0.02), lossP: 0},
    clocks: Array.from({length: servers}, () => ({
      skewMs: Math.round(between(r, -3_600_000, 3_600_000)),
      rate: drift > 0 ? round(between(r, 1 - drift, 1 + drift), 4) : 1,
    })),
    faults: SERVER_FAULT_KINDS.filter(() => r.float() < 0.5),
    faultEveryMs: Math.round(between(r, 400, 2_000)),
    faultMaxMs: Math.round(between(r, 500, 4_000)),
    safetyMs: Math.round(between(r, 6_000, 14_000)),
    directClients: 1 + r.int(3),
    clientAgents: 1 + r.int(2),
    agentClients: 1 + r.int(3),
    keys: 1 + r.int(3),
    opsPerKey: 30,
    addShare: round(between(r, 0.1, 0.3)),
    maxAdds: 120,
    thinkMaxMs: round(between(r, 5, 60)),
    failureDetectMs: Math.round(between(r, 500, 3_000)),
    aliveDetectMs: Math.round(between(r, 50, 1_000)),
  }
  // Drawn last, so every other parameter of a seed stays what it was before it existed.
  p.diskSyncMaxMs = pick(r, [0, 0.3, 2, 10])
  const merged = {...p, ...over}
  if (over.servers !== undefined && over.clocks === undefined) {
    merged.clocks = Array.from({length: merged.servers}, (_, i) => p.clocks[i] ?? {skewMs: 0, rate: 1})
  }
  return merged
}
