/**
 * The HCL that Consul config files are written in, read into the same shape a JSON file
 * gives: `key = value`, blocks `key { … }` (a block named twice, or a labelled block
 * `key "label" { … }`, as in HCL 1), lists, strings with escapes, heredocs, numbers,
 * booleans and #, // and /* comments. Not the expression language: no interpolation
 * or functions, which Consul's config does not use either.
 */
export class HclError extends Error {}

type Value = string | number | boolean | Value[] | {[k: string]: Value}
type Obj = {[k: string]: Value}

export function parseHcl(text: string): Obj {
  let i = 0
  const fail = (msg: string): never => {
    const before = text.slice(0, i)
    const line = before.split('\n').length
    const col = i - before.lastIndexOf('\n')
    throw new HclError(`line ${line}, column ${col}: ${msg}`)
  }
  /** Skips blanks and comments; newlines too unless `stopAtNewline`. Returns true if one was crossed. */
  const skip = (stopAtNewline = false): boolean => {
    let newline = false
    while (i < text.length) {
      const c = text[i]!
      if (c === '\n') {
        newline = true
        if (stopAtNewline) return true
        i++
      } else if (c === ' ' || c === '\t' || c === '\r') i++
      else if (c === '#' || (c === '/' && text[i + 1] === '/')) while (i < text.length && text[i] !== '\n') i++
      else if (c === '/' && text[i + 1] === '*') {
        const end = text.indexOf('*/', i + 2)
        if (end < 0) fail('unterminated /* comment')
        newline ||= text.slice(i, end).includes('\n')
        i = end + 2
      } else break
    }
    return newline
  }
  const ident = (): string | undefined => {
    const m = /^[A-Za-z_][\w.-]*/.exec(text.slice(i, i + 256))
    if (!m) return undefined
    i += m[0].length
    return m[0]
  }
  const string = (): string => {
    i++ // opening quote
    let out = ''
    while (i < text.length && text[i] !== '"') {
      const c = text[i++]!
      if (c === '\n') fail('newline in a string')
      if (c !== '\\') {
        out += c
        continue
      }
      const e = text[i++]
      const simple: Record<string, string> = {n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\'}
      if (e !== undefined && simple[e] !== undefined) out += simple[e]
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i, i + 4))) {
        out += String.fromCharCode(parseInt(text.slice(i, i + 4), 16))
        i += 4
      } else fail(`unknown escape \\${e ?? ''}`)
    }
    if (text[i] !== '"') fail('unterminated string')
    i++
    return out
  }
  const heredoc = (): string => {
    const m = /^<<(-?)([A-Za-z_]\w*)[ \t]*\r?\n/.exec(text.slice(i))
    if (!m) return fail('malformed heredoc')
    i += m[0].length
    const lines: string[] = []
    for (;;) {
      if (i >= text.length) fail(`heredoc without its closing ${m[2]}`)
      const end = text.indexOf('\n', i)
      const line = text.slice(i, end < 0 ? text.length : end).replace(/\r$/, '')
      i = end < 0 ? text.length : end + 1
      if (line.trim() === m[2]) break
      lines.push(line)
    }
    if (m[1]) {
      const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length))
      return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n') + '\n'
    }
    return lines.join('\n') + '\n'
  }
  const value = (): Value => {
    skip()
    const c = text[i]
    if (c === '"') return string()
    if (c === '<' && text[i + 1] === '<') return heredoc()
    if (c === '[') return list()
    if (c === '{') return object()
    const num = /^-?(0x[0-9a-fA-F]+|\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 64))
    if (num) {
      i += num[0].length
      return Number(num[0])
    }
    const word = ident()
    if (word === 'true') return true
    if (word === 'false') return false
    return fail(word ? `unexpected ${word} (strings are quoted)` : `unexpected ${c === undefined ? 'end of file' : JSON.stringify(c)}`)
  }
  const list = (): Value[] => {
    i++
    const out: Value[] = []
    for (;;) {
      skip()
      if (text[i] === ']') {
        i++
        return out
      }
      out.push(value())
      skip()
      if (text[i] === ',') i++
      else if (text[i] !== ']') fail('expected , or ] in a list')
    }
  }
  const object = (): Obj => {
    i++
    const o = body('}')
    i++
    return o
  }
  /** Items until `close` ('}' of a block, or end of file for ''). */
  const body = (close: string): Obj => {
    const out: Obj = {}
    for (;;) {
      skip()
      if (close ? text[i] === close : i >= text.length) return out
      if (i >= text.length) fail(`expected ${close}`)
      const key = text[i] === '"' ? string() : ident()
      if (key === undefined) fail(`expected a key, found ${JSON.stringify(text[i])}`)
      skip(true)
      if (text[i] === '=' || text[i] === ':') {
        i++
        set(out, key!, value(), false)
      } else {
        // A block: `key { … }` or `key "label" … { … }` (each label one more level, as in HCL 1).
        const labels: string[] = []
        for (;;) {
          skip()
          if (text[i] === '"') labels.push(string())
          else if (text[i] === '{') break
          else fail(`expected = or { after ${key}`)
        }
        let v: Value = object()
        for (const l of labels.reverse()) v = {[l]: v}
        set(out, key!, v, true)
      }
      // HCL 1 (what Consul reads) needs no separator between items: `a { x = 1 y = 2 }` is two.
      skip()
      if (text[i] === ',') i++
    }
  }
  /** A repeated block becomes a list of its bodies, as Consul reads `service { } service { }`. */
  const set = (o: Obj, key: string, v: Value, block: boolean) => {
    const prev = o[key]
    if (block && prev !== undefined && typeof prev === 'object') o[key] = Array.isArray(prev) ? [...prev, v] : [prev, v]
    else o[key] = v
  }
  return body('')
}
