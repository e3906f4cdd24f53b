import {WireError} from '../codec.js'

/**
 * LZW as memberlist compresses packets and streams (Go's compress/lzw with LSB bit
 * order and 8-bit literals, the GIF variant): codes start 9 bits wide and grow to
 * 12; 256 clears the table, 257 ends the data.
 */
const MAX_WIDTH = 12
const CLEAR = 256
const EOF = 257
const INVALID = 0xffff

export function lzwDecompress(input: Uint8Array, maxOut = 20 * 1024 * 1024): Uint8Array {
  const prefix = new Uint16Array(1 << MAX_WIDTH)
  const suffix = new Uint8Array(1 << MAX_WIDTH)
  const out: number[] = []
  let bits = 0
  let nBits = 0
  let pos = 0
  let width = 9
  let hi = EOF
  let overflow = 1 << width
  let last = INVALID
  const scratch = new Uint8Array(1 << MAX_WIDTH)
  for (;;) {
    while (nBits < width) {
      if (pos >= input.length) throw new WireError('lzw: unexpected end of data')
      bits |= input[pos++] << nBits
      nBits += 8
    }
    const code = bits & ((1 << width) - 1)
    bits >>>= width
    nBits -= width
    if (code < CLEAR) {
      out.push(code)
      if (last !== INVALID) {
        suffix[hi] = code
        prefix[hi] = last
      }
    } else if (code === CLEAR) {
      width = 9
      hi = EOF
      overflow = 1 << width
      last = INVALID
      continue
    } else if (code === EOF) {
      break
    } else if (code <= hi) {
      // Expand right to left into scratch, then append.
      let i = scratch.length - 1
      let c = code
      if (code === hi && last !== INVALID) {
        // The code being defined: the last expansion plus its own first byte.
        c = last
        while (c >= CLEAR) c = prefix[c]
        scratch[i--] = c
        c = last
      }
      while (c >= CLEAR) {
        scratch[i--] = suffix[c]
        c = prefix[c]
      }
      scratch[i] = c
      for (let j = i; j < scratch.length; j++) out.push(scratch[j])
      if (last !== INVALID) {
        suffix[hi] = c
        prefix[hi] = last
      }
    } else {
      throw new WireError('lzw: invalid code')
    }
    if (out.length > maxOut) throw new WireError('lzw: output too large')
    last = code
    hi++
    if (hi >= overflow) {
      if (width === MAX_WIDTH) {
        last = INVALID
        hi--
      } else {
        width++
        overflow = 1 << width
      }
    }
  }
  return Uint8Array.from(out)
}

/**
 * The encoder with Go's Writer semantics for NewWriter(w, LSB, 8): a clear code first,
 * codes growing from 9 to 12 bits, packed least-significant bit first; when the next
 * code would be 4095 the table is full, so a clear code starts it over at width 9;
 * then the pending code, EOF (257) and the last partial byte. `clears` counts resets.
 */
export function lzwCompress(input: Uint8Array): {bytes: Uint8Array; clears: number} {
  const CLEAR = 256, EOF = 257, MAX_CODE = 4095
  const out: number[] = []
  let bits = 0, nBits = 0, width = 9, hi = EOF, overflow = 512, clears = 0
  let table = new Map<number, number>()
  const write = (code: number) => {
    if (code === CLEAR) clears++
    bits |= code << nBits
    nBits += width
    while (nBits >= 8) {
      out.push(bits & 0xff)
      bits >>>= 8
      nBits -= 8
    }
  }
  /** Go's incHi: false when the table just ran out and was reset. */
  const incHi = (): boolean => {
    hi++
    if (hi === overflow) {
      width++
      overflow <<= 1
    }
    if (hi === MAX_CODE) {
      write(CLEAR)
      width = 9
      hi = EOF
      overflow = 512
      table = new Map()
      return false
    }
    return true
  }
  if (input.length === 0) {
    write(CLEAR)
  } else {
    write(CLEAR)
    let code = input[0]
    for (let i = 1; i < input.length; i++) {
      const lit = input[i]
      const key = (code << 8) | lit
      const hit = table.get(key)
      if (hit !== undefined) {
        code = hit
        continue
      }
      write(code)
      code = lit
      if (incHi()) table.set(key, hi)
    }
    write(code)
    incHi()
  }
  write(EOF)
  if (nBits > 0) out.push(bits & 0xff)
  return {bytes: Uint8Array.from(out), clears}
}
