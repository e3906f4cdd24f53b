/**
 * A test-only LZW encoder with Go compress/lzw's Writer semantics for
 * NewWriter(w, LSB, 8), which is what memberlist compresses with: a clear code
 * first, codes 9 bits wide growing to 12, packed least-significant bit first; when
 * the next code would be 4095 the table is full, so the writer emits a clear code
 * and starts over at width 9; then the pending code, eof (257) and the last
 * partial byte. Product code only decodes (we send uncompressed), so the encoder
 * lives here to produce vectors.
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
