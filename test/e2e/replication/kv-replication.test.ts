/**
 * KV prefix replication between two datacenters (docs/datacenters.md § KV replication):
 * real agents on 127.0.0.181–186, default ports. Most cases use one server per
 * datacenter (dc1 on .181, dc2 on .184, whose leader replicates config/ from dc1);
 * the last case runs three servers in each and kills the replicating leader.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'
import {assertBuilt} from '../cli/run-cli.js'
import {dc as dcCli} from '../gossip/helpers.js'
import {agreedLeader, get, put, type ClusterServer} from '../cluster/helpers.js'

interface Entry {Key: string; Value: string | null; ModifyIndex: number}
interface PrefixStatus {Prefix: string; SourceDatacenter: string; ReplicatedIndex: number; SourceIndex: number; LocalIndex: number; LagIndex: number; LastSuccess: string; SinceLastSuccess: string; LastError: string; LastErrorMessage: string}
interface Status {Enabled: boolean; Running: boolean; SourceDatacenter: string; Prefixes: PrefixStatus[]}

const cfgDir = mkdtempSync(join(tmpdir(), 'dc-repl-cfg-'))
// The stanza as issue 10 writes it, in an HCL file.
writeFileSync(join(cfgDir, 'replication.hcl'), 'replication { kv_prefixes = ["config/"] source_datacenter = "dc1" }\n')

const started: RunningAgent[] = []
const track = (a: RunningAgent) => (started.push(a), a)

async function server(ip: string, node: string, datacenter: string, dataDir?: string): Promise<RunningAgent> {
  const args = [`-datacenter=${datacenter}`, '-retry-interval-wan=1s']
  if (datacenter === 'dc2') args.push('-retry-join-wan=127.0.0.181:8302', '-config-dir', cfgDir)
  else args.push('-retry-join-wan=127.0.0.184:8302')
  return track(await startAgent({node, bind: ip, dataDir, serverPort: 8300, serfLanPort: 8301, serfWanPort: 8302, args}))
}

/** Decoded {key: value} of a prefix as a server holds it locally (?stale). */
async function contents(a: RunningAgent, prefix: string): Promise<Record<string, string>> {
  const r = await get(a, `/v1/kv/${prefix}?recurse&stale`)
  if (r.status === 404) return {}
  return Object.fromEntries((JSON.parse(r.body) as Entry[]).map((e) => [e.Key, e.Value === null ? '' : Buffer.from(e.Value, 'base64').toString()]))
}
async function entries(a: RunningAgent, prefix: string): Promise<Entry[]> {
  const r = await get(a, `/v1/kv/${prefix}?recurse&stale`)
  return r.status === 404 ? [] : (JSON.parse(r.body) as Entry[])
}
async function status(a: RunningAgent): Promise<Status> {
  const r = await get(a, '/v1/replication/status')
  if (r.status !== 200) throw new Error(`${r.status} ${r.body}`)
  return JSON.parse(r.body) as Status
}

/** dc2's copy of config/ equals dc1's (and the replicator has recorded that source index). */
async function converged(src: RunningAgent, dst: RunningAgent, timeoutMs = 30_000): Promise<Record<string, string>> {
  let last = ''
  try {
    return await waitFor(async () => {
      const [a, b] = await Promise.all([contents(src, 'config/'), contents(dst, 'config/')])
      last = `dc1 ${JSON.stringify(a).slice(0, 300)}\ndc2 ${JSON.stringify(b).slice(0, 300)}`
      if (JSON.stringify(a) !== JSON.stringify(b)) return undefined
      const s = await status(dst)
      const srcIndex = Number((await get(src, '/v1/kv/config/?recurse&stale')).headers.get('x-consul-index'))
      return s.Prefixes[0]!.ReplicatedIndex === srcIndex ? b : undefined
    }, timeoutMs, 200)
  } catch (e) {
    throw new Error(`config/ did not converge: ${(e as Error).message}\n${last}`)
  }
}

/**
 * Writes config/k0..k(n-1) round-robin in dc1, each value a per-key counter, and deletes
 * config/del/<i> after writing it: the final copies must hold every key's last counter.
 */
class CounterWriter {
  readonly acked = new Map<string, number>()
  /** config/del/<i> keys whose DELETE was not acknowledged (a leader killed meanwhile): they may stay. */
  readonly unackedDeletes = new Set<string>()
  private counters = new Map<string, number>()
  private running = true
  private done: Promise<void>
  writes = 0
  constructor(private readonly target: () => RunningAgent, private readonly keys = 8) {
    this.done = this.loop()
  }
  private paused = false
  private parked?: () => void
  private async loop() {
    for (let i = 0; this.running; i++) {
      if (this.paused) {
        await new Promise<void>((resume) => {
          this.parked?.()
          this.parked = resume
        })
      }
      const key = `config/k${i % this.keys}`
      const n = (this.counters.get(key) ?? 0) + 1
      try {
        const r = await put(this.target(), `/v1/kv/${key}`, String(n))
        this.counters.set(key, n)
        if (r.status === 200) this.acked.set(key, n)
        this.writes++
        if (i % 5 === 0) {
          const del = `config/del/${i}`
          this.unackedDeletes.add(del)
          await put(this.target(), `/v1/kv/${del}`, 'x')
          const r = await fetch(`${this.target().url}/v1/kv/${del}`, {method: 'DELETE', signal: AbortSignal.timeout(10_000)})
          if (r.status === 200 && (await r.text()).trim() === 'true') this.unackedDeletes.delete(del)
        }
      } catch {
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  }
  async progress(more: number) {
    const want = this.writes + more
    await waitFor(() => this.writes >= want, 30_000, 50)
  }
  /** Resolves once the writer is between writes and writes nothing more until resume(). */
  pause(): Promise<void> {
    this.paused = true
    return new Promise((parked) => (this.parked = parked))
  }
  resume() {
    this.paused = false
    const go = this.parked
    this.parked = undefined
    go?.()
  }
  async stop() {
    this.running = false
    this.resume()
    await this.done
  }
}

afterAll(async () => {
  await Promise.all(started.map((a) => a.kill()))
  started.forEach((a) => a.cleanup())
})

describe('KV replication, one server per datacenter', () => {
  let s1: RunningAgent, s4: RunningAgent
  const dir1 = mkdtempSync(join(tmpdir(), 'dc-repl-s1-'))
  const dir4 = mkdtempSync(join(tmpdir(), 'dc-repl-s4-'))

  beforeAll(async () => {
    assertBuilt()
    ;[s1, s4] = await Promise.all([server('127.0.0.181', 'repl-one', 'dc1', dir1), server('127.0.0.184', 'repl-four', 'dc2', dir4)])
    await waitFor(async () => (await status(s4)).Running, 30_000, 200)
  }, 60_000)

  it('copies the prefix, then updates and deletes; keys outside it are never touched', async () => {
    expect(await put(s4, '/v1/kv/local/own', 'dc2-only')).toEqual({status: 200, body: 'true'})
    expect(await put(s4, '/v1/kv/configuration', 'not under config/')).toEqual({status: 200, body: 'true'})
    for (const [k, v] of [['config/a', '1'], ['config/b', '1'], ['config/sub/c', '1'], ['other/x', 'dc1-only']]) {
      expect(await put(s1, `/v1/kv/${k}`, v)).toEqual({status: 200, body: 'true'})
    }
    expect(await converged(s1, s4)).toEqual({'config/a': '1', 'config/b': '1', 'config/sub/c': '1'})
    expect(await put(s1, '/v1/kv/config/a', '2')).toEqual({status: 200, body: 'true'})
    expect((await fetch(`${s1.url}/v1/kv/config/b`, {method: 'DELETE'})).status).toBe(200)
    expect((await fetch(`${s1.url}/v1/kv/config/sub/?recurse`, {method: 'DELETE'})).status).toBe(200)
    expect(await converged(s1, s4)).toEqual({'config/a': '2'})
    expect(await contents(s4, 'local/')).toEqual({'local/own': 'dc2-only'})
    expect((await get(s4, '/v1/kv/configuration?raw')).body).toBe('not under config/')
    expect((await get(s4, '/v1/kv/other/x')).status).toBe(404)
    expect(await contents(s1, 'local/')).toEqual({})
  }, 60_000)

  it('dc replication status (text and -format=json) shows the source, indexes and lag', async () => {
    const json = await dcCli(s4, ['replication', 'status', '-format=json'])
    expect(json.code).toBe(0)
    const s = JSON.parse(json.stdout) as Status
    const srcIndex = Number((await get(s1, '/v1/kv/config/?recurse')).headers.get('x-consul-index'))
    expect(s).toMatchObject({Enabled: true, Running: true, SourceDatacenter: 'dc1'})
    expect(s.Prefixes).toHaveLength(1)
    expect(s.Prefixes[0]).toMatchObject({Prefix: 'config/', SourceDatacenter: 'dc1', ReplicatedIndex: srcIndex, LagIndex: 0})
    expect(s.Prefixes[0]!.LocalIndex).toBe(Number((await get(s4, '/v1/kv/config/?recurse')).headers.get('x-consul-index')))
    expect(Date.parse(s.Prefixes[0]!.LastSuccess)).toBeGreaterThan(Date.now() - 60_000)
    const text = await dcCli(s4, ['replication', 'status'])
    expect(text.code).toBe(0)
    const lines = text.stdout.trim().split('\n')
    expect(lines[0]).toBe('Source datacenter: dc1 (running on the leader)')
    expect(lines[1]!.split(/\s{2,}/)).toEqual(['Prefix', 'Source', 'Replicated Index', 'Source Index', 'Local Index', 'Lag', 'Since Last Success', 'Last Error'])
    expect(lines[2]!.split(/\s+/).slice(0, 4)).toEqual(['config/', 'dc1', String(srcIndex), String(srcIndex)])
    // Asked from dc1 about dc2 (forwarded like any ?dc= read); dc1 itself has no stanza.
    const remote = await dcCli(s1, ['replication', 'status', '-datacenter=dc2', '-format=json'])
    expect((JSON.parse(remote.stdout) as Status).Prefixes[0]!.ReplicatedIndex).toBe(srcIndex)
    const own = await dcCli(s1, ['replication', 'status'])
    expect(own.stdout.trim()).toBe('KV replication is not configured in this datacenter (no replication stanza on its servers)')
  }, 30_000)

  it('kill -9 of the receiving leader under writes: no change lost, none applied twice', async () => {
    const w = new CounterWriter(() => s1)
    await w.progress(30)
    await s4.kill()
    await w.progress(30)
    s4 = await server('127.0.0.184', 'repl-four', 'dc2', dir4)
    await w.progress(30)
    await w.stop()
    const final = await converged(s1, s4)
    for (const [k, n] of w.acked) expect(Number(final[k]), k).toBeGreaterThanOrEqual(n)
    // Every acknowledged delete reached both copies; only a delete whose answer was lost may have left its key.
    expect(Object.keys(final).filter((k) => k.startsWith('config/del/') && !w.unackedDeletes.has(k))).toEqual([])

    // Resuming with nothing new writes nothing: the same ModifyIndexes after another kill -9.
    const before = await entries(s4, 'config/')
    await s4.kill()
    s4 = await server('127.0.0.184', 'repl-four', 'dc2', dir4)
    await waitFor(async () => {
      const st = await status(s4)
      return st.Running && st.Prefixes[0]!.SourceIndex > 0
    }, 30_000, 200)
    expect(await entries(s4, 'config/')).toEqual(before)
  }, 120_000)

  it('kill -9 of the source leader: errors and backoff while it is down, then it catches up exactly', async () => {
    const w = new CounterWriter(() => s1)
    await w.progress(20)
    await s1.kill()
    const err = await waitFor(async () => {
      const st = await status(s4)
      return st.Prefixes[0]!.LastErrorMessage && Date.parse(st.Prefixes[0]!.LastError) > Date.parse(st.Prefixes[0]!.LastSuccess) ? st.Prefixes[0]! : undefined
    }, 40_000, 250)
    expect(err.LastErrorMessage).toMatch(/No path to datacenter|rpc error|connect|No cluster leader|closed|timed out/i)
    expect(s4.output()).toMatch(/kv replication round failed; backing off/)
    s1 = await server('127.0.0.181', 'repl-one', 'dc1', dir1)
    await w.progress(30)
    await w.stop()
    const final = await converged(s1, s4, 60_000)
    for (const [k, n] of w.acked) expect(Number(final[k]), k).toBeGreaterThanOrEqual(n)
  }, 150_000)

  afterAll(async () => {
    await Promise.all([s1, s4].map((a) => a?.kill()))
  })
})

describe('KV replication, three servers per datacenter', () => {
  const dc1: ClusterServer[] = [181, 182, 183].map((n) => ({name: `rone-${n}`, ip: `127.0.0.${n}`}))
  const dc2: ClusterServer[] = [184, 185, 186].map((n) => ({name: `rtwo-${n}`, ip: `127.0.0.${n}`}))
  const live2 = () => dc2.flatMap((s) => (s.agent && s.agent.proc.exitCode === null && s.agent.proc.signalCode === null ? [s.agent] : []))

  beforeAll(async () => {
    // cluster/helpers' startServer, with a longer start-up allowance: six servers on a shared 2-core machine.
    const start = async (s: ClusterServer, peers: ClusterServer[], extra: string[]) => {
      s.agent = track(await startAgent({
        node: s.name, bind: s.ip, bootstrap: false, serverPort: 8300, serfLanPort: 8301, serfWanPort: 8302, timeoutMs: 90_000,
        args: ['-bootstrap-expect=3', '-retry-interval=1s', ...peers.map((p) => `-retry-join=${p.ip}:8301`), ...extra],
      }))
    }
    await Promise.all([
      ...dc1.map((s) => start(s, dc1, ['-datacenter=dc1'])),
      ...dc2.map((s) => start(s, dc2, ['-datacenter=dc2', '-retry-join-wan=127.0.0.181:8302', '-retry-interval-wan=1s', '-config-dir', cfgDir])),
    ])
    await Promise.all([agreedLeader(dc1.map((s) => s.agent!), 30_000), agreedLeader(dc2.map((s) => s.agent!), 30_000)])
  }, 200_000)

  it('kill -9 of the replicating dc2 leader, then of the dc1 leader: final contents and per-key counters equal', async () => {
    const live1 = () => dc1.flatMap((s) => (s.agent && s.agent.proc.exitCode === null && s.agent.proc.signalCode === null ? [s.agent] : []))
    const w = new CounterWriter(() => live1()[0]!)
    await w.progress(20)
    // Caught up before the kill: checked with the source quiet, since an equal snapshot of a
    // copy that trails a writer by one write is luck (writes are faster than the poll).
    await w.pause()
    await converged(live1()[0]!, dc2[0]!.agent!, 60_000)
    w.resume()
    const leader2 = await agreedLeader(dc2.map((s) => s.agent!))
    await dc2.find((s) => leader2.startsWith(`${s.ip}:`))!.agent!.kill()
    await agreedLeader(live2(), 30_000, leader2)
    await w.progress(30)
    // The source's leader now: dc2's new leader follows dc1's next one.
    const leader1 = await agreedLeader(live1())
    const victim = dc1.find((s) => leader1.startsWith(`${s.ip}:`))!
    await victim.agent!.kill()
    await agreedLeader(live1(), 30_000, leader1)
    await w.progress(30)
    await w.stop()
    const final = await converged(live1()[0]!, live2()[0]!, 60_000)
    for (const [k, n] of w.acked) expect(Number(final[k]), k).toBeGreaterThanOrEqual(n)
    // Every acknowledged delete reached both copies; only a delete whose answer was lost may have left its key.
    expect(Object.keys(final).filter((k) => k.startsWith('config/del/') && !w.unackedDeletes.has(k))).toEqual([])
    // Every live server of both datacenters holds the same copy.
    for (const a of [...live1(), ...live2()]) expect(await contents(a, 'config/')).toEqual(final)
    expect((await status(live2()[0]!)).Running).toBe(true)
  }, 200_000)

  afterAll(async () => {
    await Promise.all([...dc1, ...dc2].map((s) => s.agent?.kill()))
  })
})
