import {DurationError, parseDuration} from '../config/duration.js'
import {badRequest} from './errors.js'
import type {HttpRequest} from './types.js'

export type Consistency = 'default' | 'stale' | 'consistent'

export interface QueryOptions {
  /** 0 = not a blocking query. */
  minIndex: number
  waitMs: number
  consistency: Consistency
  /** ?max_stale, or discovery_max_stale on a default-mode catalog/health read (ms; 0 = none). */
  maxStaleMs: number
  filter?: string
  /** ?cached: served from the agent cache (src/agent/cache). */
  cached: boolean
  cacheControl: CacheControl
}

/** The Cache-Control directives Consul reads for ?cached (simple caching types only). */
export interface CacheControl {
  maxAgeMs?: number
  mustRevalidate: boolean
  staleIfErrorMs?: number
}

/** Parses Consul's read options: ?index ?wait ?stale ?consistent ?filter. */
export function parseQueryOptions(req: HttpRequest, defaults: {defaultQueryTimeMs: number; maxQueryTimeMs: number; discoveryMaxStaleMs?: number}): QueryOptions {
  const q = req.query
  let stale = q.has('stale')
  const consistent = q.has('consistent')
  let maxStaleMs = 0
  const maxStale = q.get('max_stale')
  if (maxStale !== null && maxStale !== '') {
    try {
      maxStaleMs = parseDuration(maxStale)
    } catch (e) {
      if (e instanceof DurationError) throw badRequest(`Invalid max_stale value "${maxStale}"`)
      throw e
    }
    if (maxStaleMs > 0) stale = true
  }
  // discovery_max_stale: default-mode catalog and health reads may be served stale, within a bound.
  const defaultMode = !stale && !consistent && !q.has('leader') && !q.has('cached')
  if (defaultMode && defaults.discoveryMaxStaleMs && (req.path.startsWith('/v1/catalog') || req.path.startsWith('/v1/health'))) {
    stale = true
    maxStaleMs = defaults.discoveryMaxStaleMs
  }
  if (stale && consistent) throw badRequest('Cannot specify ?stale with ?consistent, conflicting semantics.')
  const cached = q.has('cached')
  if (cached && consistent) throw badRequest('Cannot specify ?cached with ?consistent, conflicting semantics.')
  const cacheControl = parseCacheControl(req.headers['cache-control'])
  let minIndex = 0
  const idx = q.get('index')
  if (idx !== null && idx !== '') {
    if (!/^\d+$/.test(idx)) throw badRequest('Invalid index')
    minIndex = Number(idx)
  }
  let waitMs = defaults.defaultQueryTimeMs
  const wait = q.get('wait')
  if (wait !== null && wait !== '') {
    try {
      waitMs = parseDuration(wait)
    } catch (e) {
      if (e instanceof DurationError) throw badRequest('Invalid wait time')
      throw e
    }
    if (waitMs < 0) throw badRequest('Invalid wait time')
  }
  waitMs = Math.min(waitMs, defaults.maxQueryTimeMs)
  const filter = q.get('filter') ?? undefined
  return {minIndex, waitMs, consistency: stale ? 'stale' : consistent ? 'consistent' : 'default', maxStaleMs, filter: filter || undefined, cached, cacheControl}
}

/**
 * Cache-Control as Consul's parseCacheControl: comma-separated directives, max-age and
 * stale-if-error in whole seconds; max-age=0 means must-revalidate. Others are ignored.
 */
export function parseCacheControl(raw: string | undefined): CacheControl {
  const out: CacheControl = {mustRevalidate: false}
  if (!raw) return out
  const seconds = (v: string): number => {
    if (!/^\d+$/.test(v)) throw badRequest('Invalid Cache-Control header.')
    return Number(v) * 1000
  }
  for (const part of raw.toLowerCase().split(',')) {
    const d = part.trim()
    if (d === 'must-revalidate') out.mustRevalidate = true
    else if (d.startsWith('max-age=')) {
      out.maxAgeMs = seconds(d.slice(8))
      if (out.maxAgeMs === 0) out.mustRevalidate = true
    } else if (d.startsWith('stale-if-error=')) out.staleIfErrorMs = seconds(d.slice(15))
  }
  return out
}

/** Boolean query flags in Consul are present-or-absent (`?recurse`), or `=true/false`. */
export function flag(req: HttpRequest, name: string): boolean {
  if (!req.query.has(name)) return false
  const v = req.query.get(name)
  return v !== 'false' && v !== '0'
}

export function uintParam(req: HttpRequest, name: string): number | undefined {
  const v = req.query.get(name)
  if (v === null || v === '') return undefined
  if (!/^\d+$/.test(v)) throw badRequest(`Invalid ${name} value: ${v}`)
  return Number(v)
}

/**
 * The abort signal to hand a read: the request's own for a blocking query (?index, which
 * may wait minutes and must stop when the client leaves), none for a plain read, which
 * answers at once; building an AbortSignal costs about a fifth of a whole stale KV read.
 */
export function blockingSignal(req: HttpRequest): AbortSignal | undefined {
  const idx = req.query.get('index')
  return idx !== null && idx !== '' && idx !== '0' ? req.signal : undefined
}
