/** Shared helpers: build query packets with dns-packet, run them through a handler, decode the reply. */
import dnsPacket, {type DecodedPacket, type RecordType} from 'dns-packet'
import {createDnsHandler, type DnsHandler, type Network} from '../../../src/agent/dns/handler.js'
import {parseDnsConfig, type DnsConfig, type RawDnsConfig} from '../../../src/agent/dns/config.js'
import {seededRandom} from '../../../src/agent/env/prng.js'
import type {FakeCatalog} from './fake-catalog.js'

export const WALL_MS = 1_700_000_000_000

export interface QueryOptions {
  network?: Network
  /** EDNS0 UDP size; omit for a plain query. */
  bufsize?: number
  id?: number
}

/** dns-packet's types omit the ANY pseudo-type, which it encodes fine. */
export type QueryType = RecordType | 'ANY'

export function queryPacket(name: string, type: QueryType, opts: QueryOptions = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: opts.id ?? 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{type: type as RecordType, name, class: 'IN'}],
    additionals: opts.bufsize === undefined ? [] : [{
      type: 'OPT', name: '.', udpPayloadSize: opts.bufsize, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [],
    }],
  })
}

export function makeHandler(catalog: FakeCatalog, raw: RawDnsConfig = {}, seed = 7): {handler: DnsHandler; config: DnsConfig} {
  const config = parseDnsConfig(raw)
  const handler = createDnsHandler({config, catalog, random: seededRandom(seed), wallMs: () => WALL_MS})
  return {handler, config}
}

/** Ask and decode; throws when the handler did not reply. */
export function ask(handler: DnsHandler, name: string, type: QueryType, opts: QueryOptions = {}): DecodedPacket & {size: number} {
  const r = handler.handle(queryPacket(name, type, opts), opts.network ?? 'udp')
  if (r.kind !== 'reply') throw new Error(`expected a reply, got ${r.kind}`)
  return Object.assign(dnsPacket.decode(r.bytes), {size: r.bytes.length})
}

export function rcodeOf(p: DecodedPacket): string {
  return (p as DecodedPacket & {rcode: string}).rcode
}

type AnyAnswer = {type: string; name: string; ttl?: number; data?: unknown}

export function answersOf(p: DecodedPacket, type?: string): AnyAnswer[] {
  return ((p.answers ?? []) as AnyAnswer[]).filter((a) => type === undefined || a.type === type)
}

export function additionalsOf(p: DecodedPacket, type?: string): AnyAnswer[] {
  return ((p.additionals ?? []) as AnyAnswer[]).filter((a) => a.type !== 'OPT' && (type === undefined || a.type === type))
}

export function authoritiesOf(p: DecodedPacket): AnyAnswer[] {
  return (p.authorities ?? []) as AnyAnswer[]
}

export function srvData(a: AnyAnswer): {priority: number; weight: number; port: number; target: string} {
  return a.data as {priority: number; weight: number; port: number; target: string}
}

export function txtStrings(a: AnyAnswer): string[] {
  return (a.data as Buffer[]).map((b) => b.toString())
}
