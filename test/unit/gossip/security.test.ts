import {createCipheriv} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {WireError} from '../../../src/agent/gossip/codec.js'
import {Keyring, KeyringError} from '../../../src/agent/gossip/memberlist/keyring.js'
import {decrypt, encrypt, encryptedLength} from '../../../src/agent/gossip/memberlist/security.js'

const rng = seededRandom(5)
const key = (n = 32) => rng.bytes(n)
const text = (s: string) => new TextEncoder().encode(s)

/** What an old memberlist (encryption version 0) sends: PKCS#7-padded plaintext under AES-GCM. */
function encryptV0(k: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array {
  const pad = 16 - (plain.length % 16)
  const padded = new Uint8Array(plain.length + pad).fill(pad)
  padded.set(plain)
  const c = createCipheriv(`aes-${k.length * 8}-gcm` as 'aes-256-gcm', k, nonce)
  const body = Buffer.concat([c.update(padded), c.final()])
  return Uint8Array.from([0, ...nonce, ...body, ...c.getAuthTag()])
}

describe('gossip encryption (memberlist security.go)', () => {
  it('round-trips version 1 for every AES key size, with the documented layout', () => {
    for (const size of [16, 24, 32]) {
      const k = key(size)
      const nonce = rng.bytes(12)
      const msg = text(`hello ${size}`)
      const sealed = encrypt(k, nonce, msg)
      expect(sealed.length).toBe(encryptedLength(msg.length))
      expect(sealed[0]).toBe(1)
      expect(sealed.subarray(1, 13)).toEqual(nonce)
      expect(decrypt([k], sealed)).toEqual(msg)
    }
  })

  it('reads version 0 (PKCS#7 padding) as old peers send it', () => {
    const k = key()
    for (const s of ['', 'x', 'exactly sixteen!', 'a longer message spanning blocks']) {
      expect(decrypt([k], encryptV0(k, rng.bytes(12), text(s)))).toEqual(text(s))
    }
  })

  it('tries every key of the ring, and rejects a message no key opens', () => {
    const [k1, k2, k3] = [key(), key(16), key()]
    const sealed = encrypt(k3, rng.bytes(12), text('rotated'))
    expect(decrypt([k1, k2, k3], sealed)).toEqual(text('rotated'))
    expect(() => decrypt([k1, k2], sealed)).toThrow(/no installed keys/)
  })

  it('binds the additional data (stream header) and detects tampering', () => {
    const k = key()
    const aad = Uint8Array.of(10, 0, 0, 0, 9)
    const sealed = encrypt(k, rng.bytes(12), text('stream'), aad)
    expect(decrypt([k], sealed, aad)).toEqual(text('stream'))
    expect(() => decrypt([k], sealed, Uint8Array.of(10, 0, 0, 0, 8))).toThrow(WireError)
    for (const at of [1, 13, sealed.length - 1]) {
      const bad = sealed.slice()
      bad[at] ^= 1
      expect(() => decrypt([k], bad, aad), `bit flip at ${at}`).toThrow(WireError)
    }
  })

  it('refuses unknown versions, short payloads and bad key sizes', () => {
    const k = key()
    const sealed = encrypt(k, rng.bytes(12), text('v'))
    const v2 = sealed.slice()
    v2[0] = 2
    expect(() => decrypt([k], v2)).toThrow(/version 2/)
    expect(() => decrypt([k], sealed.subarray(0, 20))).toThrow(/too small/)
    expect(() => decrypt([k], new Uint8Array(0))).toThrow(WireError)
    expect(() => encrypt(key(20), rng.bytes(12), text('x'))).toThrow(/key size/)
  })
})

describe('gossip keyring', () => {
  it('installs, switches the primary and removes keys as keyring -install/-use/-remove do', () => {
    const [a, b] = [key(), key()]
    const ring = new Keyring([a])
    expect(ring.enabled()).toBe(true)
    expect(ring.primary()).toEqual(a)
    ring.install(b)
    ring.install(b.slice())
    expect(ring.all()).toHaveLength(2)
    ring.use(b)
    expect(ring.primary()).toEqual(b)
    expect(ring.all()[1]).toEqual(a)
    expect(() => ring.remove(b)).toThrow(/primary/)
    ring.remove(a)
    expect(ring.all()).toEqual([b])
    expect(() => ring.use(a)).toThrow(/not in the keyring/)
    expect(new Keyring().enabled()).toBe(false)
  })

  it('decodes base64 keys of 16, 24 and 32 bytes only', () => {
    for (const n of [16, 24, 32]) {
      const k = key(n)
      expect(Keyring.decodeKey(Keyring.encodeKey(k))).toEqual(k)
    }
    expect(() => Keyring.decodeKey(Keyring.encodeKey(key(20)))).toThrow(KeyringError)
    expect(() => Keyring.decodeKey('not base64!')).toThrow(/base64/)
    expect(() => new Keyring().install(key(8))).toThrow(KeyringError)
  })
})
