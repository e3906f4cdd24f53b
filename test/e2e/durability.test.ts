import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {startAgent} from '../helpers/agent.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json()

async function putMany(url: string, prefix: string, n: number, concurrency: number) {
  let next = 0
  const acked: string[] = []
  await Promise.all(Array.from({length: concurrency}, async () => {
    for (let i = next++; i < n; i = next++) {
      const key = `${prefix}${String(i).padStart(5, '0')}`
      const r = await fetch(`${url}/v1/kv/${key}`, {method: 'PUT', body: `value-${i}`})
      if ((await json(r)) === true) acked.push(key)
    }
  }))
  return acked
}

describe('durability', () => {
  it('kill -9 after 1,000 acknowledged writes loses none', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-kill-'))
    try {
      const a = await startAgent({dataDir})
      const acked = await putMany(a.url, 'dur/', 1000, 16)
      expect(acked).toHaveLength(1000)
      await a.kill()
      const b = await startAgent({dataDir})
      const keys: string[] = await json(fetch(`${b.url}/v1/kv/dur/?keys`))
      expect(keys).toHaveLength(1000)
      expect(new Set(keys)).toEqual(new Set(acked))
      const [e] = await json(fetch(`${b.url}/v1/kv/dur/00999`))
      expect(Buffer.from(e.Value, 'base64').toString()).toBe('value-999')
      await b.stop()
    } finally {
      rmSync(dataDir, {recursive: true, force: true})
    }
  })

  it('kill -9 in the middle of concurrent writes: every acknowledged write survives', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-kill-mid-'))
    try {
      const a = await startAgent({dataDir})
      const acked: string[] = []
      let killed = false
      let n = 0
      const writer = async () => {
        while (!killed) {
          const key = `mid/${String(n++).padStart(6, '0')}`
          try {
            const r = await fetch(`${a.url}/v1/kv/${key}`, {method: 'PUT', body: `v-${key}`})
            if (r.status === 200 && (await json(r)) === true) acked.push(key)
          } catch {
            return // the agent is gone: this write's outcome is unknown, which is allowed
          }
        }
      }
      const writers = Array.from({length: 16}, writer)
      while (acked.length < 500) await new Promise((r) => setTimeout(r, 5))
      killed = true
      await a.kill()
      await Promise.all(writers)
      const b = await startAgent({dataDir})
      const keys = new Set<string>(await json(fetch(`${b.url}/v1/kv/mid/?keys`)))
      const lost = acked.filter((k) => !keys.has(k))
      expect(lost).toEqual([])
      // Nothing appears that was never sent.
      for (const k of keys) expect(Number(k.slice(4))).toBeLessThan(n)
      const sample = acked[acked.length - 1]
      expect(await (await fetch(`${b.url}/v1/kv/${sample}?raw`)).text()).toBe(`v-${sample}`)
      await b.stop()
    } finally {
      rmSync(dataDir, {recursive: true, force: true})
    }
  })

  it('restart after snapshot + log truncation restores every key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-snap-'))
    const cfg = mkdtempSync(join(tmpdir(), 'dc-snap-cfg-'))
    writeFileSync(join(cfg, 'raft.json'), JSON.stringify({raft_snapshot_threshold: 100, raft_trailing_logs: 10, raft_snapshot_interval: '10ms'}))
    try {
      const a = await startAgent({dataDir, args: [`-config-dir=${cfg}`]})
      await putMany(a.url, 'snap/', 450, 8)
      await fetch(`${a.url}/v1/kv/snap/00001`, {method: 'DELETE'})
      const stats = (await json(fetch(`${a.url}/v1/agent/self`))).Stats.raft
      expect(Number(stats.last_snapshot_index)).toBeGreaterThan(0)
      await a.kill()
      const b = await startAgent({dataDir, args: [`-config-dir=${cfg}`]})
      const keys: string[] = await json(fetch(`${b.url}/v1/kv/snap/?keys`))
      expect(keys).toHaveLength(449)
      expect(keys).not.toContain('snap/00001')
      const [e] = await json(fetch(`${b.url}/v1/kv/snap/00449`))
      expect(Buffer.from(e.Value, 'base64').toString()).toBe('value-449')
      await b.stop()
    } finally {
      rmSync(dataDir, {recursive: true, force: true})
      rmSync(cfg, {recursive: true, force: true})
    }
  })
})
