import {Decoder, Encoder} from '@msgpack/msgpack'
import {CODEC_VERSION, FRAME_HEADER_BYTES} from './protocol.js'

/**
 * The messages of the multiplexed protocol, version 1. On the wire each is a msgpack
 * array (positional, so per-call overhead stays a few bytes):
 *   request:  [0, seq, method, body]
 *   response: [1, seq, error, body]   error = null | {Error: string, Code?: string}
 *   cancel:   [2, seq, null, null]    the caller gave up on call seq (it timed out); the
 *                                     server aborts that call's signal and may skip its answer
 * seq is chosen by the caller, unique among its calls in flight on that connection;
 * responses may come back in any order.
 */
export type RpcMessage =
  | {kind: 'request'; seq: number; method: string; body: unknown}
  | {kind: 'response'; seq: number; error: RemoteError | null; body: unknown}
  | {kind: 'cancel'; seq: number}

export interface RemoteError {
  Error: string
  Code?: string
}

const KIND_REQUEST = 0
const KIND_RESPONSE = 1
const KIND_CANCEL = 2

/** A frame that is not a message of a version we speak; the connection is closed. */
export class CodecError extends Error {
  constructor(readonly reason: 'version' | 'decode' | 'shape', message: string) {
    super(message)
    this.name = 'CodecError'
  }
}

export interface Codec {
  /** A complete frame (length prefix, version byte, payload). Throws if body cannot be encoded. */
  encodeRequest(seq: number, method: string, body: unknown): Buffer
  encodeResponse(seq: number, error: RemoteError | null, body: unknown): Buffer
  encodeCancel(seq: number): Buffer
  /** Decodes a frame body (after the length prefix). Throws CodecError. */
  decode(frame: Buffer): RpcMessage
}

/**
 * `maxFrameBytes` also bounds every length the decoder will believe (strings, bins,
 * array and map counts): no value can be longer than the frame that carries it, so a
 * small frame claiming a 4-billion-element array is refused instead of allocated.
 */
/** A decoder that believes no length (string, bytes, array, map) beyond one frame. */
export function boundedDecoder(maxFrameBytes: number): Decoder {
  return new Decoder({
    maxStrLength: maxFrameBytes,
    maxBinLength: maxFrameBytes,
    maxArrayLength: maxFrameBytes,
    maxMapLength: maxFrameBytes,
    maxExtLength: maxFrameBytes,
  })
}

/** One frame of the 8300 port's framing: uint32 BE length, version byte, msgpack value. */
export function encodeFrame(encoder: Encoder, version: number, value: unknown): Buffer {
  // encodeSharedRef returns a view of the encoder's buffer: copy it once, into the frame.
  const payload = encoder.encodeSharedRef(value)
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 1 + payload.length)
  out.writeUInt32BE(1 + payload.length, 0)
  out[FRAME_HEADER_BYTES] = version
  out.set(payload, FRAME_HEADER_BYTES + 1)
  return out
}

export function createCodec(maxFrameBytes: number): Codec {
  // ignoreUndefined: `{a: undefined}` travels as `{}`, as JSON would, so optional fields
  // of request/reply objects neither cost bytes nor arrive as null.
  const encoder = new Encoder({ignoreUndefined: true})
  const decoder = boundedDecoder(maxFrameBytes)
  const frame = (msg: unknown[]): Buffer => encodeFrame(encoder, CODEC_VERSION, msg)

  return {
    encodeRequest: (seq, method, body) => frame([KIND_REQUEST, seq, method, body]),
    encodeResponse: (seq, error, body) => frame([KIND_RESPONSE, seq, error, body]),
    encodeCancel: (seq) => frame([KIND_CANCEL, seq, null, null]),
    decode(f) {
      if (f[0] !== CODEC_VERSION) throw new CodecError('version', `unsupported codec version ${f[0]} (speaks ${CODEC_VERSION})`)
      // A plain Uint8Array view (not a Buffer) so msgpack bin values decode as plain
      // Uint8Array. They are views into the received frame, not copies.
      const bytes = new Uint8Array(f.buffer, f.byteOffset + 1, f.length - 1)
      let m: unknown
      try {
        m = decoder.decode(bytes)
      } catch (e) {
        throw new CodecError('decode', `undecodable frame: ${(e as Error).message}`)
      }
      return checkShape(m)
    },
  }
}

function checkShape(m: unknown): RpcMessage {
  if (!Array.isArray(m) || m.length !== 4) throw new CodecError('shape', 'frame is not a 4-element message array')
  const [kind, seq, third, body] = m as [unknown, unknown, unknown, unknown]
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw new CodecError('shape', 'bad sequence number')
  if (kind === KIND_REQUEST) {
    if (typeof third !== 'string') throw new CodecError('shape', 'request method is not a string')
    return {kind: 'request', seq, method: third, body}
  }
  if (kind === KIND_RESPONSE) {
    if (third === null) return {kind: 'response', seq, error: null, body}
    if (typeof third === 'object' && typeof (third as RemoteError).Error === 'string') {
      const {Error: message, Code} = third as RemoteError
      return {kind: 'response', seq, error: typeof Code === 'string' ? {Error: message, Code} : {Error: message}, body}
    }
    throw new CodecError('shape', 'response error is neither null nor {Error}')
  }
  if (kind === KIND_CANCEL) return {kind: 'cancel', seq}
  throw new CodecError('shape', `unknown message kind ${String(kind)}`)
}
