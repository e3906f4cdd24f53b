// How a KV value (base64 in the API) is shown: pretty JSON when it parses as JSON,
// text when it is valid UTF-8, base64 when it is binary.

/** Uint8Array from the API's base64 (null value → empty). */
export function fromBase64(b64) {
  if (!b64) return new Uint8Array(0)
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

export function toBase64(bytes) {
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(bin)
}

/** {kind: 'json'|'text'|'binary', text, pretty?} */
export function describeValue(bytes) {
  let text
  try {
    text = new TextDecoder('utf-8', {fatal: true}).decode(bytes)
  } catch {
    return {kind: 'binary', text: toBase64(bytes)}
  }
  // Control characters other than tab/newline/CR make "text" unreadable: treat as binary.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) return {kind: 'binary', text: toBase64(bytes)}
  const trimmed = text.trim()
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return {kind: 'json', text, pretty: JSON.stringify(JSON.parse(trimmed), null, 2)}
    } catch {
      // Not JSON after all: plain text.
    }
  }
  return {kind: 'text', text}
}

/** The request body for an edited value: text as UTF-8, or base64 decoded to bytes. */
export function encodeDraft(text, asBase64) {
  if (!asBase64) return new TextEncoder().encode(text)
  const clean = text.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) throw new Error('not valid base64')
  return fromBase64(clean)
}
