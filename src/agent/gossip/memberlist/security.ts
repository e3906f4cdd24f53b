import {createCipheriv, createDecipheriv} from 'node:crypto'
import {WireError} from '../codec.js'

/**
 * memberlist's packet encryption (security.go): `[version][12-byte nonce][AES-GCM
 * ciphertext + 16-byte tag]`. Version 0 pads the plaintext with PKCS#7 first (old
 * peers); version 1 does not. We send version 1 and read both.
 */
const NONCE = 12
const TAG = 16

export function encrypt(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array, aad?: Uint8Array): Uint8Array {
  const c = createCipheriv(algo(key), key, nonce)
  if (aad && aad.length) c.setAAD(aad)
  const body = Buffer.concat([c.update(plain), c.final()])
  const out = new Uint8Array(1 + NONCE + body.length + TAG)
  out[0] = 1
  out.set(nonce, 1)
  out.set(body, 1 + NONCE)
  out.set(c.getAuthTag(), 1 + NONCE + body.length)
  return out
}

/** Length of what encrypt() produces for `n` plaintext bytes. */
export function encryptedLength(n: number): number {
  return 1 + NONCE + n + TAG
}

/** Tries every key in the ring (primary first); WireError when none opens the message. */
export function decrypt(keys: readonly Uint8Array[], msg: Uint8Array, aad?: Uint8Array): Uint8Array {
  if (msg.length === 0) throw new WireError('cannot decrypt an empty payload')
  const vsn = msg[0]
  if (vsn > 1) throw new WireError(`unsupported encryption version ${vsn}`)
  if (msg.length < 1 + NONCE + TAG + (vsn === 0 ? 16 : 0)) throw new WireError(`payload too small to decrypt: ${msg.length}`)
  const nonce = msg.subarray(1, 1 + NONCE)
  const body = msg.subarray(1 + NONCE, msg.length - TAG)
  const tag = msg.subarray(msg.length - TAG)
  for (const key of keys) {
    try {
      const d = createDecipheriv(algo(key), key, nonce)
      if (aad && aad.length) d.setAAD(aad)
      d.setAuthTag(tag)
      const plain = new Uint8Array(Buffer.concat([d.update(body), d.final()]))
      if (vsn === 0) {
        const pad = plain[plain.length - 1]
        if (!pad || pad > 16 || pad > plain.length) throw new WireError('bad padding')
        return plain.subarray(0, plain.length - pad)
      }
      return plain
    } catch (e) {
      if (e instanceof WireError) throw e
      // wrong key: try the next one
    }
  }
  throw new WireError('no installed keys could decrypt the message')
}

function algo(key: Uint8Array): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  if (key.length === 16) return 'aes-128-gcm'
  if (key.length === 24) return 'aes-192-gcm'
  if (key.length === 32) return 'aes-256-gcm'
  throw new WireError(`key size must be 16, 24 or 32 bytes, not ${key.length}`)
}
