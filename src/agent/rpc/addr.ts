import {RpcError} from './error.js'

/** Parses "ip:port", "host:port" or "[v6]:port" (the forms Consul prints for RPC addresses). */
export function parseRpcAddr(addr: string): {host: string; port: number} {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(addr) ?? /^([^:[\]]+):(\d{1,5})$/.exec(addr)
  const port = m ? Number(m[2]) : NaN
  if (!m || port < 1 || port > 65535) throw new RpcError('connect', `invalid RPC address "${addr}" (want ip:port or [ipv6]:port)`)
  return {host: m[1], port}
}

/** Formats a socket peer as "ip:port", bracketing IPv6 and unwrapping IPv4-mapped IPv6. */
export function formatPeer(ip: string, port: number | undefined): string {
  return ip.includes(':') ? `[${ip}]:${port ?? 0}` : `${ip}:${port ?? 0}`
}

/**
 * One key per client machine for connection limits: a dual-stack listener sees IPv4
 * peers as ::ffff:a.b.c.d, which must count against the same client as a.b.c.d.
 */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
}
