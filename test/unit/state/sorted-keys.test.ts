import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../../src/agent/env/prng.js'
import {SortedKeys, compareKeys} from '../../../src/store/state/keys.js'

/** The reference: a plain array kept sorted by compareKeys. */
function model() {
  const keys: string[] = []
  return {
    insert: (k: string) => {
      if (!keys.includes(k)) keys.push(k)
      keys.sort(compareKeys)
    },
    remove: (k: string) => {
      const i = keys.indexOf(k)
      if (i >= 0) keys.splice(i, 1)
    },
    withPrefix: (p: string) => keys.filter((k) => k.startsWith(p)),
    all: () => keys,
  }
}

describe('SortedKeys', () => {
  it('keeps store order and answers prefix scans like a sorted array, across many chunk splits and removals', () => {
    const rnd = seededRandom(7)
    const s = new SortedKeys()
    const m = model()
    const key = () => `${['a', 'b', 'w64', 'ü', '😀'][rnd.int(5)]}/${rnd.int(6000)}`
    for (let round = 0; round < 12_000; round++) {
      const k = key()
      if (rnd.int(4) === 0) {
        s.remove(k)
        m.remove(k)
      } else {
        s.insert(k)
        m.insert(k)
      }
      if (round % 1500 === 0) expect([...s.all()]).toEqual(m.all())
    }
    expect(s.size).toBe(m.all().length)
    expect(s.size).toBeGreaterThan(3000) // several chunks
    expect([...s.all()]).toEqual(m.all())
    for (const p of ['', 'a', 'a/1', 'w64/', 'w64/59', 'ü', '😀/1', 'zz', 'b/5999']) expect([...s.withPrefix(p)]).toEqual(m.withPrefix(p))
    // Empty it again: every chunk goes away and the structure still works.
    for (const k of [...m.all()]) s.remove(k)
    expect(s.size).toBe(0)
    expect([...s.withPrefix('')]).toEqual([])
    s.insert('x')
    expect([...s.all()]).toEqual(['x'])
  })

  it('ignores a duplicate insert and the removal of an absent key', () => {
    const s = new SortedKeys()
    s.remove('nothing')
    s.insert('b')
    s.insert('a')
    s.insert('b')
    s.remove('c')
    expect([...s.all()]).toEqual(['a', 'b'])
    expect(s.size).toBe(2)
  })
})
