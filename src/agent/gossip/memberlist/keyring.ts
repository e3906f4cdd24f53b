/**
 * The gossip keyring: the primary key encrypts, every installed key is tried on
 * receipt, which is what lets operators rotate keys on a live pool
 * (install → use → remove). Keys are AES keys of 16, 24 or 32 bytes.
 */
export class KeyringError extends Error {}

export class Keyring {
  private keys: Uint8Array[] = []

  constructor(keys: Uint8Array[] = [], primary?: Uint8Array) {
    for (const k of keys) this.install(k)
    if (primary) this.use(primary)
  }

  static decodeKey(b64: string): Uint8Array {
    const trimmed = b64.trim()
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new KeyringError('the key is not valid base64')
    const k = new Uint8Array(Buffer.from(trimmed, 'base64'))
    if (![16, 24, 32].includes(k.length)) throw new KeyringError(`the key must decode to 16, 24 or 32 bytes (AES-128/192/256), not ${k.length}`)
    return k
  }

  static encodeKey(k: Uint8Array): string {
    return Buffer.from(k).toString('base64')
  }

  enabled(): boolean {
    return this.keys.length > 0
  }

  /** Primary first. */
  all(): readonly Uint8Array[] {
    return this.keys
  }

  primary(): Uint8Array | undefined {
    return this.keys[0]
  }

  install(k: Uint8Array): void {
    if (![16, 24, 32].includes(k.length)) throw new KeyringError(`key size must be 16, 24 or 32 bytes, not ${k.length}`)
    if (!this.keys.some((x) => same(x, k))) this.keys.push(k)
  }

  use(k: Uint8Array): void {
    const i = this.keys.findIndex((x) => same(x, k))
    if (i < 0) throw new KeyringError('Requested key is not in the keyring')
    const [key] = this.keys.splice(i, 1)
    this.keys.unshift(key)
  }

  remove(k: Uint8Array): void {
    const i = this.keys.findIndex((x) => same(x, k))
    if (i === 0) throw new KeyringError('Removing the primary key is not allowed')
    if (i > 0) this.keys.splice(i, 1)
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
