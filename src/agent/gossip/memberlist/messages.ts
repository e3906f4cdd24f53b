import {bool, bytes, decode, encodeTyped, str, uint, WireError, type Raw} from '../codec.js'
import {ipBytes, ipString} from './ip.js'

/** memberlist's message type byte (net.go), the first byte of every packet and stream. */
export const MsgType = {
  ping: 0,
  indirectPing: 1,
  ackResp: 2,
  suspect: 3,
  alive: 4,
  dead: 5,
  pushPull: 6,
  compound: 7,
  user: 8,
  compress: 9,
  encrypt: 10,
  nackResp: 11,
  hasCrc: 12,
  err: 13,
} as const

/** memberlist node states as they travel in push/pull (StateAlive … StateLeft). */
export const NodeState = {alive: 0, suspect: 1, dead: 2, left: 3} as const
export type NodeStateType = (typeof NodeState)[keyof typeof NodeState]

/** memberlist protocol range and Serf's delegate protocol range, as Consul 1.x / Serf 0.8 advertise them. */
export const PROTOCOL = {min: 1, max: 5, cur: 2, delegateMin: 2, delegateMax: 5, delegateCur: 4}

export interface Addr {
  ip: string
  port: number
}

export interface Ping {
  seqNo: number
  node: string
  source?: Addr
  sourceNode?: string
}
export interface IndirectPing {
  seqNo: number
  target: Addr
  node: string
  nack: boolean
  source?: Addr
  sourceNode?: string
}
export interface Ack {
  seqNo: number
  payload: Uint8Array
}
export interface Suspect {
  incarnation: number
  node: string
  from: string
}
export type Dead = Suspect
export interface Alive {
  incarnation: number
  node: string
  addr: Addr
  meta: Uint8Array
  /** [pMin, pMax, pCur, dMin, dMax, dCur] */
  vsn: number[]
}
export interface PushNodeState extends Alive {
  state: NodeStateType
}

export function encodePing(p: Ping): Uint8Array {
  return encodeTyped(MsgType.ping, {
    SeqNo: p.seqNo,
    Node: p.node,
    ...(p.source ? {SourceAddr: ipBytes(p.source.ip), SourcePort: p.source.port, SourceNode: p.sourceNode ?? ''} : {}),
  })
}

export function decodePing(buf: Uint8Array): Ping {
  return pingFrom(decode(buf))
}

export function pingFrom(m: Raw): Ping {
  return {seqNo: uint(m.SeqNo), node: str(m.Node), source: sourceOf(m), sourceNode: str(m.SourceNode) || undefined}
}

export function encodeIndirectPing(p: IndirectPing): Uint8Array {
  return encodeTyped(MsgType.indirectPing, {
    SeqNo: p.seqNo,
    Target: ipBytes(p.target.ip),
    Port: p.target.port,
    Node: p.node,
    Nack: p.nack,
    ...(p.source ? {SourceAddr: ipBytes(p.source.ip), SourcePort: p.source.port, SourceNode: p.sourceNode ?? ''} : {}),
  })
}

export function decodeIndirectPing(buf: Uint8Array): IndirectPing {
  const m = decode(buf)
  return {
    seqNo: uint(m.SeqNo),
    target: {ip: ipString(bytes(m.Target)), port: uint(m.Port)},
    node: str(m.Node),
    nack: bool(m.Nack),
    source: sourceOf(m),
    sourceNode: str(m.SourceNode) || undefined,
  }
}

function sourceOf(m: Raw): Addr | undefined {
  const a = bytes(m.SourceAddr)
  const port = uint(m.SourcePort)
  return a.length > 0 && port > 0 ? {ip: ipString(a), port} : undefined
}

export function encodeAck(a: Ack): Uint8Array {
  return encodeTyped(MsgType.ackResp, {SeqNo: a.seqNo, Payload: a.payload})
}
export function decodeAck(buf: Uint8Array): Ack {
  return ackFrom(decode(buf))
}
export function ackFrom(m: Raw): Ack {
  return {seqNo: uint(m.SeqNo), payload: bytes(m.Payload)}
}
export function encodeNack(seqNo: number): Uint8Array {
  return encodeTyped(MsgType.nackResp, {SeqNo: seqNo})
}
export function decodeNack(buf: Uint8Array): number {
  return uint(decode(buf).SeqNo)
}

export function encodeSuspect(s: Suspect): Uint8Array {
  return encodeTyped(MsgType.suspect, {Incarnation: s.incarnation, Node: s.node, From: s.from})
}
export function encodeDead(s: Dead): Uint8Array {
  return encodeTyped(MsgType.dead, {Incarnation: s.incarnation, Node: s.node, From: s.from})
}
export function decodeSuspect(buf: Uint8Array): Suspect {
  const m = decode(buf)
  const node = str(m.Node)
  if (!node) throw new WireError('suspect/dead without a node name')
  return {incarnation: uint(m.Incarnation), node, from: str(m.From)}
}

export function encodeAlive(a: Alive): Uint8Array {
  return encodeTyped(MsgType.alive, aliveFields(a))
}

function aliveFields(a: Alive): Raw {
  return {Incarnation: a.incarnation, Node: a.node, Addr: ipBytes(a.addr.ip), Port: a.addr.port, Meta: a.meta, Vsn: Uint8Array.from(a.vsn)}
}

export function decodeAlive(buf: Uint8Array): Alive {
  return aliveFrom(decode(buf))
}

function aliveFrom(m: Raw): Alive {
  const node = str(m.Node)
  if (!node) throw new WireError('alive without a node name')
  const vsn = [...bytes(m.Vsn)]
  return {
    incarnation: uint(m.Incarnation),
    node,
    addr: {ip: ipString(bytes(m.Addr)), port: uint(m.Port)},
    meta: bytes(m.Meta),
    vsn: vsn.length >= 6 ? vsn.slice(0, 6) : [],
  }
}

export function pushNodeStateFields(s: PushNodeState): Raw {
  return {
    Name: s.node,
    Addr: ipBytes(s.addr.ip),
    Port: s.addr.port,
    Meta: s.meta,
    Incarnation: s.incarnation,
    State: s.state,
    Vsn: Uint8Array.from(s.vsn),
  }
}

export function pushNodeStateFrom(m: Raw): PushNodeState {
  const node = str(m.Name)
  if (!node) throw new WireError('push/pull state without a node name')
  const state = uint(m.State)
  if (state > 3) throw new WireError(`unknown node state ${state}`)
  const vsn = [...bytes(m.Vsn)]
  return {
    node,
    addr: {ip: ipString(bytes(m.Addr)), port: uint(m.Port)},
    meta: bytes(m.Meta),
    incarnation: uint(m.Incarnation),
    state: state as NodeStateType,
    vsn: vsn.length >= 6 ? vsn.slice(0, 6) : [],
  }
}

/** `[compound][n][n × uint16 BE lengths][messages…]` (util.go makeCompoundMessage). */
export function encodeCompound(msgs: Uint8Array[]): Uint8Array {
  const total = 2 + msgs.length * 2 + msgs.reduce((s, m) => s + m.length, 0)
  const out = new Uint8Array(total)
  out[0] = MsgType.compound
  out[1] = msgs.length
  let off = 2
  for (const m of msgs) {
    out[off] = m.length >> 8
    out[off + 1] = m.length & 0xff
    off += 2
  }
  for (const m of msgs) {
    out.set(m, off)
    off += m.length
  }
  return out
}

/** The parts of a compound body (after its type byte); a truncated tail is dropped, as memberlist does. */
export function decodeCompound(buf: Uint8Array): {parts: Uint8Array[]; truncated: number} {
  if (buf.length < 1) throw new WireError('missing compound length byte')
  const n = buf[0]
  if (buf.length < 1 + n * 2) throw new WireError('truncated compound length slice')
  const parts: Uint8Array[] = []
  let off = 1 + n * 2
  for (let i = 0; i < n; i++) {
    const len = (buf[1 + i * 2] << 8) | buf[2 + i * 2]
    if (off + len > buf.length) return {parts, truncated: n - i}
    parts.push(buf.subarray(off, off + len))
    off += len
  }
  return {parts, truncated: 0}
}
