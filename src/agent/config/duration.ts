/**
 * Go's time.ParseDuration, which Consul uses for every duration in config files,
 * flags and query strings: "300ms", "1.5h", "2h45m", "10s". A bare "0" is allowed.
 * Returns milliseconds; throws DurationError on anything else (e.g. "10 seconds").
 */
export class DurationError extends Error {}

const UNIT_MS: Record<string, number> = {ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000}

export function parseDuration(input: string): number {
  const s = input.trim()
  if (s === '0' || s === '+0' || s === '-0') return 0
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s)
  if (!m) throw new DurationError(`invalid duration "${input}"`)
  let total = 0
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g
  for (let part = re.exec(s); part; part = re.exec(s)) total += Number(part[1]) * UNIT_MS[part[2]]
  return m[1] === '-' ? -total : total
}

/** Accepts a duration string or a number (already in the given unit, default seconds as Consul's *_ttl ints). */
export function durationMs(value: unknown, numberUnitMs = 1000): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value * numberUnitMs
  if (typeof value === 'string') return parseDuration(value)
  throw new DurationError(`invalid duration ${JSON.stringify(value)}`)
}

/** Go-style rendering, e.g. 15000 → "15s", 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  const neg = ms < 0
  let rest = Math.abs(ms)
  if (rest < 1000) return `${neg ? '-' : ''}${rest}ms`
  let out = ''
  const h = Math.floor(rest / 3_600_000)
  rest -= h * 3_600_000
  const m = Math.floor(rest / 60_000)
  rest -= m * 60_000
  const s = rest / 1000
  if (h) out += `${h}h`
  if (h || m) out += `${m}m`
  out += `${Number(s.toFixed(3))}s`
  return (neg ? '-' : '') + out
}
