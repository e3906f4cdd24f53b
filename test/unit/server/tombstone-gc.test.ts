import {describe, expect, it} from 'vitest'
import {TombstoneGc} from '../../../src/agent/server/tombstone-gc.js'

describe('tombstone GC schedule', () => {
  it('reaps only what is older than the TTL, once', () => {
    const gc = new TombstoneGc(1000)
    gc.sample(0, 5)
    gc.sample(500, 9)
    expect(gc.due(999)).toBe(0)
    expect(gc.due(1000)).toBe(5)
    expect(gc.due(1200)).toBe(0)
    expect(gc.due(1500)).toBe(9)
    expect(gc.due(5000)).toBe(0)
  })
  it('ignores repeated samples of an unchanged index and forgets samples on reset', () => {
    const gc = new TombstoneGc(100)
    gc.sample(0, 3)
    gc.sample(50, 3)
    gc.reset()
    expect(gc.due(1000)).toBe(0)
    gc.sample(1000, 4)
    expect(gc.due(1100)).toBe(4)
  })
})
