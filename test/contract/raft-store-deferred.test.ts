import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {Entry} from '../../src/agent/raft/core/types.js'
import {MemoryRaftDisk, MemoryRaftStore} from '../../src/store/raft/memory-store.js'
import {SqliteRaftStore} from '../../src/store/raft/sqlite-store.js'

/** persistDeferred: written at once, durable later, `done` on a later turn (RaftStore docs). */
const ent = (index: number, term: number): Entry => ({index, term, type: 0, data: new TextEncoder().encode(`e${index}`)})
const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'dc-raft-deferred-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

describe('SqliteRaftStore.persistDeferred', () => {
  it('is offered by a file store only', () => {
    const mem = SqliteRaftStore.open(':memory:')
    expect(mem.persistDeferred).toBeUndefined()
    mem.close()
    const file = SqliteRaftStore.open(tempDir())
    expect(typeof file.persistDeferred).toBe('function')
    file.close()
  })

  it('shows the batch at once, calls done on a later turn, and the batch survives a reopen', async () => {
    const dir = tempDir()
    const s = SqliteRaftStore.open(dir)
    let doneCalled = false
    const durable = new Promise<Error | undefined>((resolve) => {
      s.persistDeferred!({entries: [ent(1, 1), ent(2, 1)], hardState: {term: 1, vote: 'a', commit: 0}}, (err) => {
        doneCalled = true
        resolve(err)
      })
    })
    expect(doneCalled).toBe(false)
    expect(s.lastIndex()).toBe(2)
    expect(s.entries(1, 3).map((e) => e.index)).toEqual([1, 2])
    expect(await durable).toBeUndefined()
    s.close()
    const again = SqliteRaftStore.open(dir)
    expect(again.lastIndex()).toBe(2)
    expect(again.initialState().hardState).toEqual({term: 1, vote: 'a', commit: 0})
    again.close()
  })

  it('groups writes made while a sync runs into the next sync, and answers every caller in order', async () => {
    const s = SqliteRaftStore.open(tempDir())
    const order: number[] = []
    const all = [1, 2, 3, 4].map(
      (i) => new Promise<void>((resolve, reject) => s.persistDeferred!({entries: [ent(i, 1)]}, (err) => (err ? reject(err) : (order.push(i), resolve())))),
    )
    await Promise.all(all)
    expect(order).toEqual([1, 2, 3, 4])
    expect(s.lastIndex()).toBe(4)
    s.close()
  })

  it('refuses an invalid batch synchronously and changes nothing', () => {
    const s = SqliteRaftStore.open(tempDir())
    expect(() => s.persistDeferred!({entries: [ent(2, 1)]}, () => {})).toThrow(/gap|invalid|contiguous|after/i)
    expect(s.lastIndex()).toBe(0)
    s.close()
  })

  it('answers a caller still waiting when the store closes', async () => {
    const s = SqliteRaftStore.open(tempDir())
    const outcome = new Promise<Error | undefined>((resolve) => s.persistDeferred!({entries: [ent(1, 1)]}, resolve))
    s.close()
    // The sync already running completes (the data reached the disk) or the caller learns it did not.
    const err = await outcome
    expect(err === undefined || /closed/.test(err.message)).toBe(true)
  })
})

describe('MemoryRaftStore with syncLater (the simulator\'s disk)', () => {
  it('keeps a deferred batch unsynced until the disk syncs; a crash before that loses it', () => {
    const disk = new MemoryRaftDisk()
    const syncs: (() => void)[] = []
    const s = new MemoryRaftStore({disk, syncLater: (fn) => syncs.push(fn)})
    let done = 0
    s.persistDeferred!({entries: [ent(1, 1)]}, () => done++)
    expect(s.lastIndex()).toBe(1)
    expect(s.unsynced()).toBe(1)
    s.crash()
    syncs.shift()!()
    expect(done).toBe(0)
    expect(s.lastIndex()).toBe(0)
    expect(new MemoryRaftStore({disk}).lastIndex()).toBe(0)

    s.persistDeferred!({entries: [ent(1, 1)]}, () => done++)
    syncs.shift()!()
    expect(done).toBe(1)
    expect(new MemoryRaftStore({disk}).lastIndex()).toBe(1)
  })

  it('a synchronous write after a deferred one makes both durable, in order', () => {
    const disk = new MemoryRaftDisk()
    const s = new MemoryRaftStore({disk, syncLater: () => {}})
    s.persistDeferred!({entries: [ent(1, 1)]}, () => {})
    s.persist({entries: [ent(2, 1)]})
    expect(new MemoryRaftStore({disk}).lastIndex()).toBe(2)
  })
})
