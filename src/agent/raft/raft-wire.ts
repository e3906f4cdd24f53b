import {Encoder} from '@msgpack/msgpack'
import {FRAME_HEADER_BYTES} from '../rpc/protocol.js'
import {boundedDecoder, encodeFrame} from '../rpc/codec.js'
import {EntryType, MsgType, type Entry, type Message, type SnapshotMeta} from './core/types.js'

/**
 * The Raft transport's frames on the server RPC port, after the connection's first byte
 * (RpcType.Raft). Framing is the RPC port's: uint32 BE length N | N bytes: [version][msgpack].
 * Every msgpack value is a positional array whose first element is the frame kind:
 *
 *   hello       [0, datacenter, fromId]                  first frame of every connection
 *   msg         [1, M]                                   one Raft message (never a MsgSnap)
 *   snap-begin  [2, M, [index, term, voters, learners], totalBytes]   a MsgSnap without its data
 *   snap-chunk  [3, bytes]                               the next piece of the snapshot data
 *   snap-end    [4, sha1]                                SHA-1 of the whole data (20 bytes; an
 *                                                        integrity check against framing bugs, not security)
 *   snap-ack    [5, ok]                                  receiver → sender, after snap-end
 *
 *   M = [type, from, to, term, logTerm, index, commit, reject, rejectHint, context, entries]
 *   with nil for an absent field and entries = [[index, term, type, data(bin)], ...].
 *
 * Positional arrays keep a heartbeat to a few dozen bytes; dc-specific, not hashicorp/raft's
 * net transport (dc's Raft messages are etcd-shaped).
 */
export const RAFT_WIRE_VERSION = 1

const KIND_HELLO = 0
const KIND_MSG = 1
const KIND_SNAP_BEGIN = 2
const KIND_SNAP_CHUNK = 3
const KIND_SNAP_END = 4
const KIND_SNAP_ACK = 5
/** length prefix, version, fixarray(2), kind, bin32 marker, bin32 length. */
const CHUNK_HEAD_BYTES = 12
/** SHA-1. */
export const SNAPSHOT_DIGEST_BYTES = 20

export type RaftFrame =
  | {kind: 'hello'; datacenter: string; from: string}
  | {kind: 'msg'; msg: Message}
  /** msg.snapshot.data is empty here; the chunks that follow carry it. */
  | {kind: 'snap-begin'; msg: Message; total: number}
  | {kind: 'snap-chunk'; data: Uint8Array}
  | {kind: 'snap-end'; digest: Uint8Array}
  | {kind: 'snap-ack'; ok: boolean}

/** A frame that is not one of this version's; the connection carrying it is closed. */
export class RaftWireError extends Error {
  constructor(readonly reason: 'version' | 'decode' | 'shape', message: string) {
    super(message)
    this.name = 'RaftWireError'
  }
}

/**
 * Message types that travel between servers. The local-only ones (Hup, Beat, Unreachable,
 * SnapStatus) never come from the network: a frame carrying one is malformed. MsgSnap
 * travels only as snap-begin + chunks.
 */
const REMOTE_TYPES: ReadonlySet<string> = new Set<string>([
  MsgType.Prop, MsgType.App, MsgType.AppResp, MsgType.Vote, MsgType.VoteResp, MsgType.PreVote, MsgType.PreVoteResp,
  MsgType.Heartbeat, MsgType.HeartbeatResp, MsgType.TransferLeader, MsgType.TimeoutNow, MsgType.ReadIndex, MsgType.ReadIndexResp, MsgType.PropResp,
])

export interface RaftCodec {
  /** Each returns a complete frame (length prefix, version byte, payload). */
  hello(datacenter: string, from: string): Buffer
  msg(m: Message): Buffer
  snapBegin(m: Message, total: number): Buffer
  /**
   * The start of a snap-chunk frame for `length` data bytes: write it, then the data itself
   * (no copy of the chunk into the frame). The bin is always msgpack bin32.
   */
  snapChunkHead(length: number): Buffer
  snapEnd(digest: Uint8Array): Buffer
  snapAck(ok: boolean): Buffer
  /** Decodes a frame body (after the length prefix). Throws RaftWireError. */
  decode(body: Buffer): RaftFrame
}

/** `maxFrameBytes` bounds every length the decoder believes, as the RPC codec does. */
export function createRaftCodec(maxFrameBytes: number): RaftCodec {
  const encoder = new Encoder({ignoreUndefined: true})
  const decoder = boundedDecoder(maxFrameBytes)
  const frame = (value: unknown[]): Buffer => encodeFrame(encoder, RAFT_WIRE_VERSION, value)
  return {
    hello: (dc, from) => frame([KIND_HELLO, dc, from]),
    msg: (m) => frame([KIND_MSG, encodeMessage(m)]),
    snapBegin(m, total) {
      const meta = m.snapshot!.meta
      return frame([KIND_SNAP_BEGIN, encodeMessage(m), [meta.index, meta.term, meta.conf.voters, meta.conf.learners], total])
    },
    snapChunkHead(length) {
      const head = Buffer.allocUnsafe(CHUNK_HEAD_BYTES)
      head.writeUInt32BE(CHUNK_HEAD_BYTES - FRAME_HEADER_BYTES + length, 0)
      head[4] = RAFT_WIRE_VERSION
      head[5] = 0x92 // fixarray of 2
      head[6] = KIND_SNAP_CHUNK // positive fixint
      head[7] = 0xc6 // bin32
      head.writeUInt32BE(length, 8)
      return head
    },
    snapEnd: (digest) => frame([KIND_SNAP_END, digest]),
    snapAck: (ok) => frame([KIND_SNAP_ACK, ok]),
    decode(body) {
      if (body[0] !== RAFT_WIRE_VERSION) throw new RaftWireError('version', `unsupported raft wire version ${body[0]} (speaks ${RAFT_WIRE_VERSION})`)
      // A plain Uint8Array view so bin values decode as Uint8Array (views; copied where kept).
      const bytes = new Uint8Array(body.buffer, body.byteOffset + 1, body.length - 1)
      let v: unknown
      try {
        v = decoder.decode(bytes)
      } catch (e) {
        throw new RaftWireError('decode', `undecodable frame: ${(e as Error).message}`)
      }
      return checkFrame(v)
    },
  }
}

function encodeMessage(m: Message): unknown[] {
  return [
    m.type, m.from, m.to, m.term, m.logTerm ?? null, m.index ?? null, m.commit ?? null, m.reject ?? null,
    m.rejectHint ?? null, m.context ?? null, m.entries ? m.entries.map((e) => [e.index, e.term, e.type, e.data]) : null,
  ]
}

const bad = (why: string): never => {
  throw new RaftWireError('shape', why)
}

function checkFrame(v: unknown): RaftFrame {
  if (!Array.isArray(v) || v.length === 0) return bad('frame is not an array')
  switch (v[0]) {
    case KIND_HELLO:
      if (v.length !== 3 || typeof v[1] !== 'string' || typeof v[2] !== 'string' || v[2] === '') return bad('bad hello frame')
      return {kind: 'hello', datacenter: v[1], from: v[2]}
    case KIND_MSG: {
      if (v.length !== 2) return bad('bad msg frame')
      const msg = decodeMessage(v[1])
      if (!REMOTE_TYPES.has(msg.type)) return bad(`message type ${msg.type} does not travel between servers`)
      return {kind: 'msg', msg}
    }
    case KIND_SNAP_BEGIN: {
      if (v.length !== 4 || !isCount(v[3])) return bad('bad snap-begin frame')
      const msg = decodeMessage(v[1])
      if (msg.type !== MsgType.Snap) return bad('snap-begin carries a non-snapshot message')
      msg.snapshot = {meta: decodeMeta(v[2]), data: new Uint8Array(0)}
      return {kind: 'snap-begin', msg, total: v[3] as number}
    }
    case KIND_SNAP_CHUNK:
      if (v.length !== 2 || !(v[1] instanceof Uint8Array)) return bad('bad snap-chunk frame')
      return {kind: 'snap-chunk', data: v[1]}
    case KIND_SNAP_END:
      if (v.length !== 2 || !(v[1] instanceof Uint8Array) || v[1].length !== SNAPSHOT_DIGEST_BYTES) return bad('bad snap-end frame')
      return {kind: 'snap-end', digest: v[1]}
    case KIND_SNAP_ACK:
      if (v.length !== 2 || typeof v[1] !== 'boolean') return bad('bad snap-ack frame')
      return {kind: 'snap-ack', ok: v[1]}
    default:
      return bad(`unknown frame kind ${String(v[0])}`)
  }
}

function isCount(x: unknown): boolean {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
}

function isIdList(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string')
}

/** Rebuilds a Message field by field (unknown keys cannot ride along); absent stays absent. */
function decodeMessage(x: unknown): Message {
  if (!Array.isArray(x) || x.length !== 11) return bad('message is not an 11-element array')
  const [type, from, to, term, logTerm, index, commit, reject, rejectHint, context, entries] = x as unknown[]
  if (typeof type !== 'string' || typeof from !== 'string' || typeof to !== 'string' || !isCount(term)) return bad('bad message header')
  const m: Message = {type: type as MsgType, from, to, term: term as number}
  const optCount = (name: 'logTerm' | 'index' | 'commit' | 'rejectHint', val: unknown) => {
    if (val === null) return
    if (!isCount(val)) bad(`bad message field ${name}`)
    m[name] = val as number
  }
  optCount('logTerm', logTerm)
  optCount('index', index)
  optCount('commit', commit)
  if (reject !== null) {
    if (typeof reject !== 'boolean') return bad('bad message field reject')
    m.reject = reject
  }
  optCount('rejectHint', rejectHint)
  if (context !== null) {
    if (typeof context !== 'string') return bad('bad message field context')
    m.context = context
  }
  if (entries !== null) {
    if (!Array.isArray(entries)) return bad('bad message field entries')
    m.entries = entries.map(decodeEntry)
  }
  return m
}

function decodeEntry(x: unknown): Entry {
  if (!Array.isArray(x) || x.length !== 4) return bad('entry is not a 4-element array')
  const [index, term, type, data] = x as unknown[]
  if (!isCount(index) || !isCount(term) || (type !== EntryType.Normal && type !== EntryType.ConfChange) || !(data instanceof Uint8Array)) {
    return bad('bad entry')
  }
  // A copy: entries live on in the log, and a view would pin the whole socket read behind it.
  return {index: index as number, term: term as number, type: type as EntryType, data: new Uint8Array(data)}
}

function decodeMeta(x: unknown): SnapshotMeta {
  if (!Array.isArray(x) || x.length !== 4 || !isCount(x[0]) || !isCount(x[1]) || !isIdList(x[2]) || !isIdList(x[3])) {
    return bad('bad snapshot metadata')
  }
  return {index: x[0] as number, term: x[1] as number, conf: {voters: x[2], learners: x[3]}}
}
