/**
 * memberlist's timing knobs. The defaults are memberlist's DefaultLANConfig and
 * DefaultWANConfig, which Consul uses unless gossip_lan / gossip_wan override them.
 */
export interface MemberlistTiming {
  probeIntervalMs: number
  probeTimeoutMs: number
  indirectChecks: number
  suspicionMult: number
  suspicionMaxTimeoutMult: number
  awarenessMaxMultiplier: number
  gossipIntervalMs: number
  gossipNodes: number
  gossipToTheDeadMs: number
  retransmitMult: number
  pushPullIntervalMs: number
  tcpTimeoutMs: number
  /** Largest UDP packet we build (memberlist UDPBufferSize). */
  udpBufferSize: number
  /** After this long a dead node's name may be taken by a new address (0 = never, memberlist's default). */
  deadNodeReclaimMs: number
}

export const LAN_TIMING: MemberlistTiming = {
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  awarenessMaxMultiplier: 8,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  gossipToTheDeadMs: 30_000,
  retransmitMult: 4,
  pushPullIntervalMs: 30_000,
  tcpTimeoutMs: 10_000,
  udpBufferSize: 1400,
  deadNodeReclaimMs: 0,
}

export const WAN_TIMING: MemberlistTiming = {
  ...LAN_TIMING,
  probeIntervalMs: 5000,
  probeTimeoutMs: 3000,
  suspicionMult: 6,
  gossipIntervalMs: 500,
  gossipNodes: 4,
  gossipToTheDeadMs: 60_000,
  pushPullIntervalMs: 60_000,
  tcpTimeoutMs: 30_000,
}

/** memberlist's DefaultLocalConfig, which -dev uses: loopback needs no patience. */
export const LOCAL_TIMING: MemberlistTiming = {
  ...LAN_TIMING,
  probeIntervalMs: 1000,
  probeTimeoutMs: 200,
  suspicionMult: 3,
  gossipIntervalMs: 100,
  gossipToTheDeadMs: 15_000,
  pushPullIntervalMs: 15_000,
  tcpTimeoutMs: 1000,
}

/** Suspicion timeout: mult × max(1, log10(n)) × probe interval (memberlist util.go). */
export function suspicionTimeoutMs(mult: number, n: number, probeIntervalMs: number): number {
  const scale = Math.max(1, Math.log10(Math.max(1, n)))
  return Math.floor(mult * Math.floor(scale * 1000) * probeIntervalMs / 1000)
}

/** How many times a broadcast is retransmitted: mult × ceil(log10(n + 1)). */
export function retransmitLimit(mult: number, n: number): number {
  return mult * Math.ceil(Math.log10(n + 1))
}

/** Push/pull slows down past 32 nodes so the TCP load stays flat (memberlist pushPullScale). */
export function pushPullScaleMs(intervalMs: number, n: number): number {
  if (n <= 32) return intervalMs
  const mult = Math.ceil(Math.log2(n) - Math.log2(32)) + 1
  return intervalMs * mult
}
