/**
 * Key ordering and a sorted key list. Consul's memdb iterates keys in byte
 * order of their UTF-8 encoding, which is code point order; JavaScript's `<`
 * compares UTF-16 units, which differs for astral characters vs U+E000..U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0
  const n = a.length < b.length ? a.length : b.length
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i)
    const cb = b.charCodeAt(i)
    if (ca !== cb) return weight(ca) - weight(cb)
  }
  return a.length - b.length
}

// Surrogates (astral code points) must sort after every BMP unit.
function weight(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000
  if (c >= 0xe000) return c - 0x800
  return c
}

/** A sorted array of unique keys: O(log n) search, O(n) memmove insert/remove, O(k) prefix scans. */
export class SortedKeys {
  private keys: string[] = []

  get size(): number {
    return this.keys.length
  }

  insert(key: string): void {
    const i = this.lowerBound(key)
    if (this.keys[i] !== key) this.keys.splice(i, 0, key)
  }

  remove(key: string): void {
    const i = this.lowerBound(key)
    if (this.keys[i] === key) this.keys.splice(i, 1)
  }

  /** Keys starting with prefix, in order. Do not mutate while iterating. */
  *withPrefix(prefix: string): IterableIterator<string> {
    const keys = this.keys
    for (let i = prefix === '' ? 0 : this.lowerBound(prefix); i < keys.length; i++) {
      const k = keys[i]!
      if (!k.startsWith(prefix)) return
      yield k
    }
  }

  all(): readonly string[] {
    return this.keys
  }

  private lowerBound(key: string): number {
    let lo = 0
    let hi = this.keys.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareKeys(this.keys[mid]!, key) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** Sort a list of keys (or records by key) in store order. */
export function sortByKey<T>(items: T[], key: (t: T) => string): T[] {
  return items.sort((a, b) => compareKeys(key(a), key(b)))
}

export function addToSet<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k)
  if (!s) m.set(k, (s = new Set()))
  s.add(v)
}

export function removeFromSet<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k)
  if (!s) return
  s.delete(v)
  if (s.size === 0) m.delete(k)
}

export const lower = (s: string): string => s.toLowerCase()
