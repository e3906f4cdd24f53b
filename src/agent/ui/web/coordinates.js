// Estimated round-trip time between two Serf network coordinates, as Consul's
// lib.ComputeDistance: Euclidean distance + both heights, plus the adjustments when
// that keeps it positive. Coordinates are in seconds; the result is milliseconds.
export function rtt(a, b) {
  let sum = 0
  for (let i = 0; i < a.Vec.length; i++) sum += (a.Vec[i] - b.Vec[i]) ** 2
  let dist = Math.sqrt(sum) + a.Height + b.Height
  const adjusted = dist + a.Adjustment + b.Adjustment
  if (adjusted > 0) dist = adjusted
  return dist * 1000
}
