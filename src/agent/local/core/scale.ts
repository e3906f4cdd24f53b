/**
 * Anti-entropy timing (Consul's agent/ae): a full sync every interval plus a random
 * stagger that grows with the cluster, so a large cluster does not hammer the
 * servers: factor 1 up to 128 nodes, then one more per doubling (256 → 2, 512 → 3, ...).
 */
export const SCALE_THRESHOLD = 128

export function scaleFactor(nodes: number): number {
  if (nodes <= SCALE_THRESHOLD) return 1
  return Math.ceil(Math.log2(nodes) - Math.log2(SCALE_THRESHOLD)) + 1
}

/** Delay until the next full sync: base + a uniform stagger in [0, base × scale). `rand` is in [0, 1). */
export function fullSyncDelayMs(baseMs: number, nodes: number, rand: number): number {
  return baseMs + Math.floor(rand * baseMs * scaleFactor(nodes))
}

/** Consul defers output-only check updates by half the interval plus a random share of it. */
export function deferredOutputDelayMs(checkUpdateIntervalMs: number, rand: number): number {
  return Math.floor(checkUpdateIntervalMs / 2 + rand * checkUpdateIntervalMs)
}
