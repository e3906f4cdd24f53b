import {crc32} from 'node:zlib'
import {bool, bytes, decodeSequence, encode, map, ShortRead, str, uint, WireError} from '../codec.js'
import {lzwCompress, lzwDecompress} from './lzw.js'
import {MsgType, ackFrom, pingFrom, pushNodeStateFields, pushNodeStateFrom, type Ack, type Ping, type PushNodeState} from './messages.js'
import {decrypt, encrypt, encryptedLength} from './security.js'

/** memberlist refuses push/pull state larger than this (net.go maxPushStateBytes). */
export const MAX_STREAM_BYTES = 20 * 1024 * 1024

export interface Crypto {
  keys: readonly Uint8Array[]
  /** Encrypt what we send (encrypt_verify_outgoing). */
  encryptOutgoing: boolean
  /** Refuse what arrives in clear (encrypt_verify_incoming). */
  verifyIncoming: boolean
  nonce(): Uint8Array
}

/** `[compress]msgpack{Algo: 0 (LZW), Buf}` around a message, as memberlist's compressPayload. */
export function compressMessage(msg: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(MsgType.compress), encode({Algo: 0, Buf: lzwCompress(msg).bytes})])
}

/**
 * Outgoing UDP packet: compressed when that makes it smaller (memberlist's
 * EnableCompression, on by default), then the CRC header (peers of protocol ≥ 5), then
 * encryption.
 */
export function sealPacket(msg: Uint8Array, crc: boolean, c: Crypto | undefined, compress = false): Uint8Array {
  let out = msg
  if (compress) {
    const small = compressMessage(msg)
    if (small.length < msg.length) out = small
  }
  msg = out
  if (crc) {
    out = new Uint8Array(msg.length + 5)
    out[0] = MsgType.hasCrc
    new DataView(out.buffer).setUint32(1, crc32(msg))
    out.set(msg, 5)
  }
  if (c && c.keys.length && c.encryptOutgoing) out = encrypt(c.keys[0], c.nonce(), out)
  return out
}

/** Incoming UDP packet → the plain message (type byte first). WireError when it must be dropped. */
export function openPacket(buf: Uint8Array, c: Crypto | undefined): Uint8Array {
  let plain = buf
  if (c && c.keys.length) {
    try {
      plain = decrypt(c.keys, buf)
    } catch (e) {
      if (c.verifyIncoming) throw e
      plain = buf
    }
  }
  if (plain.length === 0) throw new WireError('empty packet')
  if (plain[0] === MsgType.hasCrc) {
    if (plain.length < 5) throw new WireError('truncated CRC header')
    const want = new DataView(plain.buffer, plain.byteOffset).getUint32(1)
    const body = plain.subarray(5)
    if (crc32(body) !== want) throw new WireError('CRC mismatch')
    return body
  }
  return plain
}

/** `[compress]msgpack{Algo, Buf}` → the message inside. */
export function decompressMessage(body: Uint8Array): Uint8Array {
  const {values} = decodeSequence(body, 1)
  const m = map(values[0])
  if (uint(m.Algo) !== 0) throw new WireError(`unknown compression algorithm ${String(m.Algo)}`)
  const out = lzwDecompress(bytes(m.Buf))
  if (out.length === 0) throw new WireError('empty compressed message')
  return out
}

/**
 * Outgoing stream message: compressed whole when compression is on (as memberlist's
 * rawSendMsgStream), then encrypted as `[encrypt][uint32 length][sealed]` with the
 * 5-byte header as AAD.
 */
export function sealStream(msg: Uint8Array, c: Crypto | undefined, compress = false): Uint8Array {
  if (compress) msg = compressMessage(msg)
  if (!c || !c.keys.length || !c.encryptOutgoing) return msg
  const header = new Uint8Array(5)
  header[0] = MsgType.encrypt
  new DataView(header.buffer).setUint32(1, encryptedLength(msg.length))
  const sealed = encrypt(c.keys[0], c.nonce(), msg, header)
  const out = new Uint8Array(5 + sealed.length)
  out.set(header)
  out.set(sealed, 5)
  return out
}

export type StreamMsg =
  | {type: 'pushPull'; join: boolean; nodes: PushNodeState[]; userState: Uint8Array}
  | {type: 'ping'; ping: Ping}
  | {type: 'ack'; ack: Ack}
  | {type: 'user'; payload: Uint8Array}
  | {type: 'err'; error: string}

/**
 * Reads one memberlist stream message from the bytes received so far. Streams carry
 * no overall length (except when encrypted): the message ends where its msgpack
 * values do, so ShortRead means "wait for more bytes".
 */
export function readStream(buf: Uint8Array, c: Crypto | undefined): StreamMsg {
  if (buf.length === 0) throw new ShortRead()
  if (buf[0] === MsgType.encrypt) {
    if (!c || !c.keys.length) throw new WireError('remote state is encrypted and encryption is not configured')
    if (buf.length < 5) throw new ShortRead()
    const len = new DataView(buf.buffer, buf.byteOffset).getUint32(1)
    if (len > MAX_STREAM_BYTES) throw new WireError(`remote state is larger than limit (${len})`)
    if (buf.length < 5 + len) throw new ShortRead()
    const plain = decrypt(c.keys, buf.subarray(5, 5 + len), buf.subarray(0, 5))
    return readPlain(plain, true)
  }
  if (c && c.keys.length && c.verifyIncoming) throw new WireError('encryption is configured but remote state is not encrypted')
  return readPlain(buf, false)
}

function readPlain(buf: Uint8Array, whole: boolean): StreamMsg {
  if (buf.length === 0) throw whole ? new WireError('empty stream message') : new ShortRead()
  if (buf[0] === MsgType.compress) return readPlain(decompressMessage(buf.subarray(1)), true)
  const body = buf.subarray(1)
  const short = (e: unknown): never => {
    if (e instanceof ShortRead && whole) throw new WireError('truncated stream message')
    throw e
  }
  try {
    switch (buf[0]) {
      case MsgType.pushPull: {
        const h = map(decodeSequence(body, 1).values[0])
        const n = uint(h.Nodes)
        const userLen = uint(h.UserStateLen)
        if (n > 100_000 || userLen > MAX_STREAM_BYTES) throw new WireError('push/pull header out of range')
        const {values, end} = decodeSequence(body, n, decodeSequence(body, 1).end)
        if (body.length < end + userLen) throw new ShortRead()
        return {type: 'pushPull', join: bool(h.Join), nodes: values.map((v) => pushNodeStateFrom(map(v))), userState: body.slice(end, end + userLen)}
      }
      case MsgType.ping:
        return {type: 'ping', ping: pingFrom(map(decodeSequence(body, 1).values[0]))}
      case MsgType.ackResp:
        return {type: 'ack', ack: ackFrom(map(decodeSequence(body, 1).values[0]))}
      case MsgType.user: {
        const {values, end} = decodeSequence(body, 1)
        const len = uint(map(values[0]).UserMsgLen)
        if (len > MAX_STREAM_BYTES) throw new WireError('user message too large')
        if (body.length < end + len) throw new ShortRead()
        return {type: 'user', payload: body.slice(end, end + len)}
      }
      case MsgType.err:
        return {type: 'err', error: str(map(decodeSequence(body, 1).values[0]).Error)}
      default:
        throw new WireError(`unexpected stream message type ${buf[0]}`)
    }
  } catch (e) {
    return short(e)
  }
}

export function encodePushPull(join: boolean, nodes: PushNodeState[], userState: Uint8Array): Uint8Array {
  const parts = [Uint8Array.of(MsgType.pushPull), encode({Nodes: nodes.length, UserStateLen: userState.length, Join: join})]
  for (const n of nodes) parts.push(encode(pushNodeStateFields(n)))
  parts.push(userState)
  return concat(parts)
}

export function encodeUserStream(payload: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(MsgType.user), encode({UserMsgLen: payload.length}), payload])
}

export function encodeErr(error: string): Uint8Array {
  return concat([Uint8Array.of(MsgType.err), encode({Error: error})])
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0))
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}
