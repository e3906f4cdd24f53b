import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {buildRuntimeConfig} from '../../src/agent/config/runtime.js'
import {createLogger, createNodeEnv} from '../../src/agent/env/node.js'
import {createAgent, type AgentHandle} from '../../src/agent/index.js'
import {SqliteRaftStore} from '../../src/store/raft/sqlite-store.js'
import type {PersistBatch, RaftStore} from '../../src/store/raft/types.js'

/**
 * A write whose Raft persist fails (disk full, I/O error) must answer 500, apply
 * nothing, and leave the agent able to take the next write. The agent runs in-process
 * with a real SQLite store wrapped so one persist throws on demand.
 */
class FlakyStore {
  failNext = false
  constructor(readonly inner: RaftStore) {}
  wrap(): RaftStore {
    return new Proxy(this.inner, {
      get: (target, prop, receiver) => {
        if (prop === 'persist') {
          return (batch: PersistBatch) => {
            if (this.failNext && batch.entries.length > 0) {
              this.failNext = false
              throw new Error('SQLITE_FULL: database or disk is full (injected)')
            }
            return target.persist(batch)
          }
        }
        const v = Reflect.get(target, prop, receiver)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
  }
}

let agent: AgentHandle
let base: string
const flaky = new FlakyStore(SqliteRaftStore.open(':memory:'))

beforeAll(async () => {
  const {config} = buildRuntimeConfig({dev: true, configFiles: [], configDirs: [], flags: {node_name: 'flaky', ports: {http: 0, dns: -1, serf_lan: -1, serf_wan: -1, server: -1, grpc: -1}}})
  const env = createNodeEnv(createLogger({level: 'error', json: false, write: () => {}}))
  agent = await createAgent(config, env, () => config, {raftStore: flaky.wrap()})
  await agent.start()
  base = `http://${agent.httpAddress()}`
})
afterAll(async () => {
  await agent?.shutdown()
})

describe('storage failure on the write path', () => {
  it('answers 500, applies nothing, and serves the next write', async () => {
    expect(await (await fetch(`${base}/v1/kv/before`, {method: 'PUT', body: 'ok'})).json()).toBe(true)
    flaky.failNext = true
    const failed = await fetch(`${base}/v1/kv/lost`, {method: 'PUT', body: 'never'})
    expect(failed.status).toBe(500)
    expect(await failed.text()).toMatch(/storage|leadership/i)
    // Local state (?stale: the node may be re-electing itself) holds nothing of it.
    expect((await fetch(`${base}/v1/kv/lost?stale`)).status).toBe(404)
    // The node rebuilds from durable state and takes writes again.
    let ok = false
    for (let i = 0; i < 100 && !ok; i++) {
      const r = await fetch(`${base}/v1/kv/after`, {method: 'PUT', body: 'ok'})
      ok = r.status === 200
      if (!ok) await new Promise((res) => setTimeout(res, 20))
    }
    expect(ok).toBe(true)
    const keys = await (await fetch(`${base}/v1/kv/?keys`)).json()
    expect(keys).toEqual(['after', 'before'])
  })
})
