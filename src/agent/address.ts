import {networkInterfaces, type NetworkInterfaceInfo} from 'node:os'

export class AddressError extends Error {}

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>

const PRIVATE_V4 = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/

/**
 * The address other nodes (and the catalog) see, as Consul picks it: -advertise, else
 * -bind unless it is a wildcard, else the single private IPv4 address. Like Consul,
 * dc refuses to guess between several.
 */
export function advertiseAddress(advertise: string, bind: string, ifaces: Interfaces = networkInterfaces()): {address: string; note?: string} {
  const adv = resolveAddressTemplate(advertise, ifaces)
  if (adv) return {address: adv}
  const b = resolveAddressTemplate(bind, ifaces)
  if (b && b !== '0.0.0.0' && b !== '::' && b !== '[::]') return {address: b}
  const priv: string[] = []
  for (const list of Object.values(ifaces)) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal && PRIVATE_V4.test(a.address)) priv.push(a.address)
  }
  if (priv.length === 1) return {address: priv[0]}
  if (priv.length === 0) throw new AddressError('No private IPv4 address found; set -bind (or -advertise) to the address other agents should use')
  throw new AddressError(`Multiple private IPv4 addresses found (${priv.join(', ')}); please configure one with -bind and/or -advertise`)
}

/**
 * The go-sockaddr templates operators put in bind/advertise/join addresses, for the
 * common cases: {{ GetPrivateIP }}, {{ GetPublicIP }}, {{ GetInterfaceIP "eth0" }},
 * {{ GetAllInterfaces | include "name" "eth0" | attr "address" }}. Anything else in
 * braces is an error that names the template.
 */
export function resolveAddressTemplate(s: string, ifaces: Interfaces = networkInterfaces()): string {
  if (!s.includes('{{')) return s
  return s.replace(/\{\{\s*(.*?)\s*\}\}/g, (_m, expr: string) => {
    const v4 = (pred: (name: string, a: NetworkInterfaceInfo) => boolean) => {
      for (const [name, list] of Object.entries(ifaces)) {
        for (const a of list ?? []) if (a.family === 'IPv4' && pred(name, a)) return a.address
      }
      return undefined
    }
    let m: RegExpExecArray | null
    let out: string | undefined
    if (/^GetPrivateIP$/.test(expr)) out = v4((_n, a) => !a.internal && PRIVATE_V4.test(a.address))
    else if (/^GetPublicIP$/.test(expr)) out = v4((_n, a) => !a.internal && !PRIVATE_V4.test(a.address))
    else if ((m = /^GetInterfaceIP\s+"([^"]+)"$/.exec(expr))) out = v4((n) => n === m![1])
    else if ((m = /^GetAllInterfaces\s*\|\s*include\s+"name"\s+"([^"]+)"\s*\|\s*attr\s+"address"$/.exec(expr))) out = v4((n) => n === m![1])
    else throw new AddressError(`unsupported address template {{ ${expr} }} (dc understands GetPrivateIP, GetPublicIP, GetInterfaceIP "name")`)
    if (!out) throw new AddressError(`address template {{ ${expr} }} matched no IPv4 address on this machine`)
    return out
  })
}
