import {networkInterfaces} from 'node:os'

/**
 * The address other nodes (and the catalog) see: -advertise, else -bind unless it
 * is a wildcard, else the single private IPv4 address (Consul refuses to guess when
 * there are several; dc takes the first and says so in the log).
 */
export function advertiseAddress(advertise: string, bind: string): {address: string; note?: string} {
  if (advertise) return {address: advertise}
  if (bind && bind !== '0.0.0.0' && bind !== '::' && bind !== '[::]') return {address: bind}
  const candidates: string[] = []
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) candidates.push(a.address)
  }
  const priv = candidates.filter((a) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/.test(a))
  const pick = priv[0] ?? candidates[0] ?? '127.0.0.1'
  const many = (priv.length || candidates.length) > 1
  return {address: pick, note: many ? `Multiple private IPv4 addresses found; advertising ${pick} (set -advertise to choose)` : undefined}
}
