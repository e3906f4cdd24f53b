import {readFileSync} from 'node:fs'

/**
 * Where the client sends requests. Consul accepts `host:port`, `http://host:port`,
 * `https://host:port` and `unix:///path/to/socket` in -http-addr / CONSUL_HTTP_ADDR;
 * CONSUL_HTTP_SSL=true turns a scheme-less address into https.
 */
export interface Endpoint {
  /** Base URL without a trailing slash, e.g. "http://127.0.0.1:8500" ("http://localhost" for unix sockets). */
  baseUrl: string
  /** Set when the agent listens on a unix socket. */
  socketPath?: string
}

export const DEFAULT_HTTP_ADDR = '127.0.0.1:8500'

export function parseEndpoint(addr: string, useTls = false): Endpoint {
  let a = addr.trim()
  if (a === '') a = DEFAULT_HTTP_ADDR
  if (a.startsWith('unix://')) return {baseUrl: 'http://localhost', socketPath: a.slice('unix://'.length)}
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(a)) a = `${useTls ? 'https' : 'http'}://${a}`
  let url: URL
  try {
    url = new URL(a)
  } catch {
    throw new TypeError(`Invalid HTTP address: ${addr}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`Unknown protocol scheme: ${url.protocol.slice(0, -1)}`)
  return {baseUrl: `${url.protocol}//${url.host}`}
}

/** Environment variables the client reads (flags win over them). */
export interface ClientEnv {
  CONSUL_HTTP_ADDR?: string
  DC_HTTP_ADDR?: string
  CONSUL_HTTP_TOKEN?: string
  CONSUL_HTTP_TOKEN_FILE?: string
  DC_HTTP_TOKEN?: string
  CONSUL_HTTP_SSL?: string
}

export interface ClientSettings {
  endpoint: Endpoint
  token?: string
  datacenter?: string
}

/**
 * Flag > CONSUL_* > DC_* > default. For the token: -token-file, -token,
 * CONSUL_HTTP_TOKEN_FILE, CONSUL_HTTP_TOKEN, DC_HTTP_TOKEN (files are read and trimmed).
 */
export function resolveClientSettings(
  flags: {httpAddr?: string; token?: string; tokenFile?: string; datacenter?: string},
  env: ClientEnv,
): ClientSettings {
  const addr = flags.httpAddr || env.CONSUL_HTTP_ADDR || env.DC_HTTP_ADDR || DEFAULT_HTTP_ADDR
  const tls = /^(1|true|t|yes)$/i.test(env.CONSUL_HTTP_SSL ?? '')
  const token =
    tokenFrom(flags.tokenFile) || flags.token || tokenFrom(env.CONSUL_HTTP_TOKEN_FILE) || env.CONSUL_HTTP_TOKEN || env.DC_HTTP_TOKEN || undefined
  return {endpoint: parseEndpoint(addr, tls), token, datacenter: flags.datacenter || undefined}
}

function tokenFrom(file: string | undefined): string | undefined {
  if (!file) return undefined
  try {
    return readFileSync(file, 'utf8').trim() || undefined
  } catch (e) {
    throw new TypeError(`Error loading token file: ${(e as Error).message}`)
  }
}
