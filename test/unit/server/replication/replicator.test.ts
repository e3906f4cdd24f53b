import {describe, expect, it} from 'vitest'
import {KvReplicator, progressKey} from '../../../../src/agent/server/replication/replicator.js'
import {StateStore} from '../../../../src/store/state/store.js'
import type {TxnOp} from '../../../../src/store/state/txn.js'
import {createFakeEnv, until, type FakeEnv} from '../../registry/fake-env.js'

const enc = (s: string) => new TextEncoder().encode(s)
const dec = (v: Uint8Array) => new TextDecoder().decode(v)

/** A source datacenter (its own store and index) answering blocking KVS.List like a server. */
class FakeSource {
  readonly store = new StateStore()
  private idx = 0
  down = false
  calls = 0
  private waiters: (() => void)[] = []
  constructor(private readonly env: FakeEnv) {}
  set(key: string, value: string) {
    this.store.kvSet(++this.idx, {Key: key, Value: enc(value), Flags: 0})
    this.wake()
  }
  del(key: string) {
    this.store.kvDelete(++this.idx, key)
    this.wake()
  }
  private wake() {
    const w = this.waiters
    this.waiters = []
    w.forEach((f) => f())
  }
  list = async (prefix: string, minIndex: number, waitMs: number) => {
    this.calls++
    if (this.down) throw new Error('No path to datacenter')
    const now = () => this.store.kvList(prefix)
    if (minIndex > 0 && now().index <= minIndex) {
      await new Promise<void>((resolve) => {
        const t = this.env.timers.after(waitMs, resolve)
        this.waiters.push(() => { t.cancel(); resolve() })
      })
      if (this.down) throw new Error('No path to datacenter')
    }
    return now()
  }
}

/** The receiving datacenter's leader: a local store whose txns count as Raft writes. */
function receiver(env: FakeEnv, source: FakeSource, local = new StateStore(), prefixes = ['config/']) {
  let idx = 1000
  const txns: TxnOp[][] = []
  const state = {leading: true, beforeApply: undefined as undefined | (() => void)}
  const r = new KvReplicator({
    env, log: env.log, config: {sourceDatacenter: 'dc1', kvPrefixes: prefixes},
    remoteList: source.list,
    localList: (p) => local.kvList(p),
    localGet: (k) => local.kvGet(k).entry,
    apply: async (ops) => {
      if (!state.leading) throw new Error('not the leader')
      state.beforeApply?.()
      txns.push(ops)
      return local.txn(++idx, ops, env.clock.wallMs())
    },
    waitMs: 10_000, backoffMinMs: 100, backoffMaxMs: 1000,
  })
  const contents = (p = 'config/') => Object.fromEntries(local.kvList(p).entries.map((e) => [e.Key, dec(e.Value)]))
  const localSet = (k: string, v: string) => local.kvSet(++idx, {Key: k, Value: enc(v), Flags: 0})
  return {r, local, txns, state, contents, localSet}
}

const srcContents = (s: FakeSource, p = 'config/') => Object.fromEntries(s.store.kvList(p).entries.map((e) => [e.Key, dec(e.Value)]))
const idle = (r: KvReplicator, s: FakeSource) => until(() => r.status().Prefixes.every((p) => p.ReplicatedIndex === s.store.kvList(p.Prefix).index) && r.status().Prefixes.every((p) => p.LastSuccess > 0))

describe('KvReplicator (leader-side KV prefix replication)', () => {
  it('copies the prefix, then updates and deletes as they happen; keys outside it are untouched on both sides', async () => {
    const env = createFakeEnv()
    const src = new FakeSource(env)
    src.set('config/a', '1'); src.set('config/b', '1'); src.set('elsewhere/x', 'source-only')
    const rx = receiver(env, src)
    rx.localSet('elsewhere/y', 'local-only')
    rx.localSet('configs', 'not under config/')
    rx.r.start()
    await until(() => rx.contents()['config/b'] === '1')
    expect(rx.contents()).toEqual({'config/a': '1', 'config/b': '1'})
    src.set('config/a', '2'); src.del('config/b'); src.set('config/c', '1')
    await until(() => JSON.stringify(rx.contents()) === JSON.stringify(srcContents(src)))
    await idle(rx.r, src)
    expect(rx.contents()).toEqual({'config/a': '2', 'config/c': '1'})
    expect(dec(rx.local.kvGet('elsewhere/y').entry!.Value)).toBe('local-only')
    expect(dec(rx.local.kvGet('configs').entry!.Value)).toBe('not under config/')
    expect(rx.local.kvGet('elsewhere/x').entry).toBeUndefined()
    const st = rx.r.status().Prefixes[0]!
    expect(st).toMatchObject({Prefix: 'config/', SourceDatacenter: 'dc1', ReplicatedIndex: src.store.kvList('config/').index, LastErrorMessage: ''})
    rx.r.stop()
  })

  it('a new leader resumes from the recorded index: nothing rewritten when nothing changed, missed changes applied once', async () => {
    const env = createFakeEnv()
    const src = new FakeSource(env)
    for (let i = 0; i < 5; i++) src.set(`config/k${i}`, 'v1')
    const first = receiver(env, src)
    first.r.start()
    await until(() => Object.keys(first.contents()).length === 5)
    await idle(first.r, src)
    const recorded = JSON.parse(dec(first.local.kvGet(progressKey('config/')).entry!.Value)) as {ReplicatedIndex: number}
    expect(recorded.ReplicatedIndex).toBe(src.store.kvList('config/').index)
    first.r.stop()
    const indexes = first.local.kvList('config/').entries.map((e) => e.ModifyIndex)

    // Leadership moves: a new replicator over the same replicated store.
    const second = receiver(env, src, first.local)
    second.r.start()
    expect(second.r.status().Prefixes[0]!.ReplicatedIndex).toBe(recorded.ReplicatedIndex)
    // Its first round (a non-blocking list of the whole prefix) compared and found nothing to do.
    await until(() => second.r.status().Prefixes[0]!.SourceIndex === recorded.ReplicatedIndex)
    await new Promise((r) => setTimeout(r, 10))
    expect(second.txns).toEqual([])
    expect(second.local.kvList('config/').entries.map((e) => e.ModifyIndex)).toEqual(indexes)
    second.r.stop()

    // Changes while nobody replicates arrive once, when the next leader starts.
    src.set('config/k1', 'v2'); src.del('config/k2')
    const third = receiver(env, src, first.local)
    third.r.start()
    await until(() => third.contents()['config/k1'] === 'v2' && !('config/k2' in third.contents()))
    await idle(third.r, src)
    const keyOps = third.txns.flat().flatMap((o) => ('KV' in o && o.KV.Key.startsWith('config/') ? [o.KV.Key] : []))
    expect(keyOps.sort()).toEqual(['config/k1', 'config/k2'])
    expect(third.contents()).toEqual(srcContents(src))
    third.r.stop()
  })

  it('an unreachable source is retried with backoff and a log line; it catches up once reachable', async () => {
    const env = createFakeEnv()
    const src = new FakeSource(env)
    src.set('config/a', '1')
    src.down = true
    const rx = receiver(env, src)
    rx.r.start()
    await until(() => rx.r.status().Prefixes[0]!.LastErrorMessage !== '')
    expect(rx.r.status().Prefixes[0]!.LastErrorMessage).toBe('No path to datacenter')
    const warned = env.logs.filter((l) => l.level === 'warn' && l.msg.includes('kv replication round failed'))
    expect(warned.length).toBe(1)
    expect(warned[0]!.fields).toMatchObject({prefix: 'config/', source: 'dc1', retry_in_ms: 100})
    env.advance(100)
    await until(() => env.logs.filter((l) => l.msg.includes('kv replication round failed')).length === 2)
    expect(env.logs.filter((l) => l.msg.includes('kv replication round failed'))[1]!.fields).toMatchObject({retry_in_ms: 200})
    src.down = false
    env.advance(200)
    await until(() => rx.contents()['config/a'] === '1')
    rx.r.stop()
  })

  it('stops writing once leadership is lost', async () => {
    const env = createFakeEnv()
    const src = new FakeSource(env)
    src.set('config/a', '1')
    const rx = receiver(env, src)
    rx.r.start()
    await idle(rx.r, src)
    rx.r.stop()
    rx.state.leading = false
    const before = rx.txns.length
    src.set('config/a', '2')
    env.advance(20_000)
    await new Promise((r) => setTimeout(r, 20))
    expect(rx.txns.length).toBe(before)
    expect(rx.contents()).toEqual({'config/a': '1'})
    expect(rx.r.status().Running).toBe(false)
  })

  it('a large difference goes in bounded transactions; the progress record is written once, by the last', async () => {
    const env = createFakeEnv()
    const src = new FakeSource(env)
    for (let i = 0; i < 150; i++) src.set(`config/${String(i).padStart(3, '0')}`, `v${i}`)
    const rx = receiver(env, src)
    rx.r.start()
    await idle(rx.r, src)
    expect(Object.keys(rx.contents()).length).toBe(150)
    expect(rx.txns.length).toBe(3)
    for (const t of rx.txns) expect(t.length).toBeLessThanOrEqual(64)
    const progressWrites = rx.txns.map((t) => t.filter((o) => 'KV' in o && o.KV.Key === progressKey('config/')).length)
    expect(progressWrites).toEqual([0, 0, 1])
    rx.r.stop()
  })

  it('a local write racing a round fails the batch (CAS) and the next round restores the source value', async () => {
    const env = createFakeEnv()
    const src = new FakeSource(env)
    src.set('config/a', '1')
    const rx = receiver(env, src)
    rx.r.start()
    await idle(rx.r, src)
    let raced = false
    rx.state.beforeApply = () => {
      if (raced) return
      raced = true
      rx.localSet('config/a', 'local meddling')
    }
    src.set('config/a', '2')
    await until(() => rx.r.status().Prefixes[0]!.LastErrorMessage.includes('index is stale'))
    env.advance(100)
    await until(() => rx.contents()['config/a'] === '2')
    rx.r.stop()
  })
})
