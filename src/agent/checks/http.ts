import {formatDuration} from '../config/duration.js'
import type {PolledCheck} from '../../plugin.js'
import type {CheckDefinition, CheckStatus, HttpProbeRequest, Probers} from './types.js'

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000

/** Consul's defaults for health-check requests (a Header entry of the same name wins). */
const DEFAULT_HEADERS: Record<string, string[]> = {
  'User-Agent': ['Consul Health Check'],
  Accept: ['text/plain, text/*, */*'],
}

/** 2xx passing, 429 warning (Too Many Requests: "back off"), anything else critical. */
export function httpStatusToCheck(code: number): CheckStatus {
  if (code >= 200 && code <= 299) return 'passing'
  if (code === 429) return 'warning'
  return 'critical'
}

export function httpProbeRequest(def: CheckDefinition): HttpProbeRequest {
  const headers: Record<string, string[]> = {}
  const given = new Set(Object.keys(def.header).map((k) => k.toLowerCase()))
  for (const [k, v] of Object.entries(DEFAULT_HEADERS)) if (!given.has(k.toLowerCase())) headers[k] = v
  Object.assign(headers, def.header)
  return {
    url: def.http,
    method: def.method || 'GET',
    headers,
    body: def.body,
    timeoutMs: def.timeoutMs || DEFAULT_HTTP_TIMEOUT_MS,
    tlsSkipVerify: def.tlsSkipVerify,
    tlsServerName: def.tlsServerName,
    followRedirects: !def.disableRedirects,
    maxBytes: def.outputMaxSize,
  }
}

/** HTTP check: output is Consul's "HTTP GET <url>: 200 OK Output: <first bytes of body>". */
export function httpCheck(def: CheckDefinition, probers: Probers): PolledCheck {
  const req = httpProbeRequest(def)
  const verb = req.method.charAt(0) + req.method.slice(1).toLowerCase()
  return {
    timeoutMs: req.timeoutMs,
    async check(signal) {
      try {
        const res = await probers.http(req, signal)
        return {status: httpStatusToCheck(res.statusCode), output: `HTTP ${req.method} ${req.url}: ${res.status} Output: ${res.body}`}
      } catch (e) {
        throw new Error(`${verb} ${JSON.stringify(req.url)}: ${(e as Error).message}`)
      }
    },
    timeoutOutput: `${verb} ${JSON.stringify(req.url)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers) after ${formatDuration(req.timeoutMs)}`,
  }
}
