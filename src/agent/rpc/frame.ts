import {FRAME_HEADER_BYTES} from './protocol.js'

/** Why a byte stream cannot be read as frames; the connection carrying it is closed. */
export class FrameError extends Error {
  constructor(readonly reason: 'oversized' | 'empty', message: string) {
    super(message)
    this.name = 'FrameError'
  }
}

/**
 * Splits a TCP byte stream into length-prefixed frames (uint32 BE length, then that many
 * bytes). Chunks are kept as a list and joined once per frame, so a large frame arriving
 * in many reads is copied once, not once per read. The length is checked as soon as the
 * 4 header bytes are in, before any of an oversized body is buffered.
 */
export class FrameReader {
  private chunks: Buffer[] = []
  /** Read offset into chunks[0]. */
  private off = 0
  private size = 0

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received but not yet returned as frames (a partial frame, or frames not yet taken). */
  get buffered(): number {
    return this.size
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return
    this.chunks.push(chunk)
    this.size += chunk.length
  }

  /** The next complete frame's body (without the length), or undefined until one is in. Throws FrameError. */
  next(): Buffer | undefined {
    if (this.size < FRAME_HEADER_BYTES) return undefined
    const len = this.peekLength()
    if (len > this.maxFrameBytes) throw new FrameError('oversized', `frame of ${len} bytes exceeds the limit of ${this.maxFrameBytes}`)
    if (len === 0) throw new FrameError('empty', 'empty frame (no codec version byte)')
    if (this.size < FRAME_HEADER_BYTES + len) return undefined
    this.skip(FRAME_HEADER_BYTES)
    return this.take(len)
  }

  private peekLength(): number {
    const first = this.chunks[0]
    if (first.length - this.off >= FRAME_HEADER_BYTES) return first.readUInt32BE(this.off)
    let v = 0
    let need = FRAME_HEADER_BYTES
    let i = 0
    let pos = this.off
    while (need > 0) {
      const c = this.chunks[i]
      for (; pos < c.length && need > 0; pos++, need--) v = v * 256 + c[pos]
      i++
      pos = 0
    }
    return v
  }

  private skip(n: number): void {
    this.size -= n
    while (n > 0) {
      const avail = this.chunks[0].length - this.off
      if (avail > n) {
        this.off += n
        return
      }
      n -= avail
      this.chunks.shift()
      this.off = 0
    }
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]
    if (first.length - this.off >= n) {
      // Common case: the frame lies within one read; a view, no copy.
      const out = first.subarray(this.off, this.off + n)
      this.skip(n)
      return out
    }
    const out = Buffer.allocUnsafe(n)
    let filled = 0
    while (filled < n) {
      const c = this.chunks[0]
      const k = Math.min(c.length - this.off, n - filled)
      c.copy(out, filled, this.off, this.off + k)
      filled += k
      this.skip(k)
    }
    return out
  }
}

/** Prefixes a frame body with its length. */
export function frameHeader(bodyLength: number): Buffer {
  const h = Buffer.allocUnsafe(FRAME_HEADER_BYTES)
  h.writeUInt32BE(bodyLength, 0)
  return h
}
