import {bool, bytes, decode, encode, encodeTyped, list, map, str, uint, WireError, type Raw} from '../codec.js'
import * as codecSeq from '../codec.js'
import {ipBytes, ipString} from '../memberlist/ip.js'
import type {Addr} from '../memberlist/messages.js'

/** Serf's message type byte (messages.go), the first byte of every Serf user message. */
export const SerfMsg = {
  leave: 0,
  join: 1,
  pushPull: 2,
  userEvent: 3,
  query: 4,
  queryResponse: 5,
  conflictResponse: 6,
  keyRequest: 7,
  keyResponse: 8,
  relay: 9,
} as const

export const QueryFlag = {ack: 1, noBroadcast: 2} as const

/** Serf tags travel as memberlist meta: 0xFF then a msgpack map (protocol ≥ 3). */
const TAG_MAGIC = 0xff

export function encodeTags(tags: Record<string, string>): Uint8Array {
  const body = encode(tags)
  const out = new Uint8Array(body.length + 1)
  out[0] = TAG_MAGIC
  out.set(body, 1)
  return out
}

export function decodeTags(meta: Uint8Array): Record<string, string> {
  if (meta.length === 0 || meta[0] !== TAG_MAGIC) return {role: new TextDecoder().decode(meta)}
  const m = decode(meta.subarray(1))
  const tags: Record<string, string> = {}
  for (const [k, v] of Object.entries(m)) tags[k] = str(v)
  return tags
}

export interface JoinMsg {
  ltime: number
  node: string
}
export interface LeaveMsg extends JoinMsg {
  prune: boolean
}
export interface UserEventMsg {
  ltime: number
  name: string
  payload: Uint8Array
  cc: boolean
}
export interface QueryMsg {
  ltime: number
  id: number
  addr: Addr
  sourceNode: string
  filters: Uint8Array[]
  flags: number
  relayFactor: number
  /** Go time.Duration: nanoseconds. */
  timeoutNs: number
  name: string
  payload: Uint8Array
}
export interface QueryResponseMsg {
  ltime: number
  id: number
  from: string
  flags: number
  payload: Uint8Array
}
export interface PushPullMsg {
  ltime: number
  statusLTimes: Record<string, number>
  leftMembers: string[]
  eventLTime: number
  events: {ltime: number; events: {name: string; payload: Uint8Array}[]}[]
  queryLTime: number
}

export const encodeJoin = (m: JoinMsg) => encodeTyped(SerfMsg.join, {LTime: m.ltime, Node: m.node})
export const encodeLeave = (m: LeaveMsg) => encodeTyped(SerfMsg.leave, {LTime: m.ltime, Node: m.node, Prune: m.prune})
export const encodeUserEvent = (m: UserEventMsg) => encodeTyped(SerfMsg.userEvent, {LTime: m.ltime, Name: m.name, Payload: m.payload, CC: m.cc})

export function encodeQuery(q: QueryMsg): Uint8Array {
  return encodeTyped(SerfMsg.query, {
    LTime: q.ltime, ID: q.id, Addr: ipBytes(q.addr.ip), Port: q.addr.port, SourceNode: q.sourceNode, Filters: q.filters,
    Flags: q.flags, RelayFactor: q.relayFactor, Timeout: q.timeoutNs, Name: q.name, Payload: q.payload,
  })
}

export function encodeQueryResponse(r: QueryResponseMsg): Uint8Array {
  return encodeTyped(SerfMsg.queryResponse, {LTime: r.ltime, ID: r.id, From: r.from, Flags: r.flags, Payload: r.payload})
}

export function encodePushPull(p: PushPullMsg): Uint8Array {
  return encodeTyped(SerfMsg.pushPull, {
    LTime: p.ltime,
    StatusLTimes: p.statusLTimes,
    LeftMembers: p.leftMembers,
    EventLTime: p.eventLTime,
    Events: p.events.map((e) => ({LTime: e.ltime, Events: e.events.map((x) => ({Name: x.name, Payload: x.payload}))})),
    QueryLTime: p.queryLTime,
  })
}

export function decodeJoin(b: Uint8Array): JoinMsg {
  const m = decode(b)
  return {ltime: uint(m.LTime), node: nodeName(m.Node)}
}
export function decodeLeave(b: Uint8Array): LeaveMsg {
  const m = decode(b)
  return {ltime: uint(m.LTime), node: nodeName(m.Node), prune: bool(m.Prune)}
}
export function decodeUserEvent(b: Uint8Array): UserEventMsg {
  const m = decode(b)
  return {ltime: uint(m.LTime), name: str(m.Name), payload: bytes(m.Payload), cc: bool(m.CC)}
}
export function decodeQuery(b: Uint8Array): QueryMsg {
  const m = decode(b)
  return {
    ltime: uint(m.LTime), id: uint(m.ID), addr: {ip: ipString(bytes(m.Addr)), port: uint(m.Port)}, sourceNode: str(m.SourceNode),
    filters: list(m.Filters).map(bytes), flags: uint(m.Flags), relayFactor: uint(m.RelayFactor), timeoutNs: uint(m.Timeout),
    name: str(m.Name), payload: bytes(m.Payload),
  }
}
export function decodeQueryResponse(b: Uint8Array): QueryResponseMsg {
  const m = decode(b)
  return {ltime: uint(m.LTime), id: uint(m.ID), from: str(m.From), flags: uint(m.Flags), payload: bytes(m.Payload)}
}
export function decodePushPull(b: Uint8Array): PushPullMsg {
  const m = decode(b)
  const statusLTimes: Record<string, number> = {}
  for (const [k, v] of Object.entries(map(m.StatusLTimes))) statusLTimes[k] = uint(v)
  return {
    ltime: uint(m.LTime),
    statusLTimes,
    leftMembers: list(m.LeftMembers).map(str),
    eventLTime: uint(m.EventLTime),
    // Serf sends its whole ring buffer, empty slots as nil.
    events: list(m.Events).filter((e) => e !== null && e !== undefined).map((e) => {
      const r = map(e)
      return {ltime: uint(r.LTime), events: list(r.Events).map((x) => ({name: str(map(x).Name), payload: bytes(map(x).Payload)}))}
    }),
    queryLTime: uint(m.QueryLTime),
  }
}

/** Relay: `[relay]msgpack{DestAddr: {IP, Port, Zone}, DestName}` then the wrapped message. */
export function decodeRelayHeader(b: Uint8Array): {dest: Addr; destName: string; rest: Uint8Array} {
  const {decodeSequence} = codecSeq
  const {values, end} = decodeSequence(b, 1)
  const h = map(values[0])
  const d = map(h.DestAddr)
  return {dest: {ip: ipString(bytes(d.IP)), port: uint(d.Port)}, destName: str(h.DestName), rest: b.subarray(end)}
}

export function encodeRelay(dest: Addr, destName: string, msg: Uint8Array): Uint8Array {
  const h = encode({DestAddr: {IP: ipBytes(dest.ip), Port: dest.port, Zone: ''}, DestName: destName})
  const out = new Uint8Array(1 + h.length + msg.length)
  out[0] = SerfMsg.relay
  out.set(h, 1)
  out.set(msg, 1 + h.length)
  return out
}

/** Query filters: `[0]msgpack([]names)` or `[1]msgpack({Tag, Expr})`. */
export type QueryFilter = {nodes: string[]} | {tag: string; expr: string}

export function encodeFilter(f: QueryFilter): Uint8Array {
  return 'nodes' in f ? encodeTyped(0, f.nodes) : encodeTyped(1, {Tag: f.tag, Expr: f.expr})
}

export function decodeFilter(b: Uint8Array): QueryFilter {
  if (b.length < 1) throw new WireError('empty query filter')
  const {values} = codecSeq.decodeSequence(b.subarray(1), 1)
  if (b[0] === 0) return {nodes: list(values[0]).map(str)}
  if (b[0] === 1) {
    const m = map(values[0])
    return {tag: str(m.Tag), expr: str(m.Expr)}
  }
  throw new WireError(`unknown query filter type ${b[0]}`)
}

/** Keyring queries: request `[7]msgpack{Key}`, answer `[8]msgpack{Result, Message, Keys, PrimaryKey}`. */
export function encodeKeyRequest(key: Uint8Array): Uint8Array {
  return encodeTyped(SerfMsg.keyRequest, {Key: key})
}
export function decodeKeyRequest(b: Uint8Array): Uint8Array {
  if (b[0] !== SerfMsg.keyRequest) throw new WireError('not a key request')
  return bytes(decode(b.subarray(1)).Key)
}
export interface KeyResponse {
  result: boolean
  message: string
  keys: string[]
  primaryKey: string
}
export function encodeKeyResponse(r: KeyResponse): Uint8Array {
  return encodeTyped(SerfMsg.keyResponse, {Result: r.result, Message: r.message, Keys: r.keys, PrimaryKey: r.primaryKey})
}
export function decodeKeyResponse(b: Uint8Array): KeyResponse {
  if (b[0] !== SerfMsg.keyResponse) throw new WireError('not a key response')
  const m: Raw = decode(b.subarray(1))
  return {result: bool(m.Result), message: str(m.Message), keys: list(m.Keys).map(str), primaryKey: str(m.PrimaryKey)}
}

function nodeName(v: unknown): string {
  const n = str(v)
  if (!n) throw new WireError('message without a node name')
  return n
}


