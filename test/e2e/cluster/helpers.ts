import {startAgent, waitFor, type RunningAgent} from '../../helpers/agent.js'

/** One server of a test cluster: a real `dc agent -server` process on its own loopback address, default ports. */
export interface ClusterServer {
  name: string
  ip: string
  agent?: RunningAgent
  dataDir?: string
  /** Serve DNS (on a free port, RunningAgent.dnsPort). */
  dns?: boolean
}

export async function startServer(s: ClusterServer, peers: string[], expect = peers.length, extra: string[] = []): Promise<RunningAgent> {
  const a = await startAgent({
    node: s.name, bind: s.ip, bootstrap: false, dataDir: s.dataDir, dns: s.dns,
    serverPort: 8300, serfLanPort: 8301, serfWanPort: 8302,
    args: [`-bootstrap-expect=${expect}`, '-retry-interval=1s', ...peers.map((p) => `-retry-join=${p}:8301`), ...extra],
  })
  s.agent = a
  s.dataDir = a.dataDir
  return a
}

export async function get(a: RunningAgent, path: string): Promise<{status: number; body: string; headers: Headers}> {
  const r = await fetch(`${a.url}${path}`, {signal: AbortSignal.timeout(15_000)})
  return {status: r.status, body: await r.text(), headers: r.headers}
}

export async function put(a: RunningAgent, path: string, body: string): Promise<{status: number; body: string}> {
  const r = await fetch(`${a.url}${path}`, {method: 'PUT', body, signal: AbortSignal.timeout(15_000)})
  return {status: r.status, body: await r.text()}
}

/** The leader's RPC address as every live server reports it, once they agree on a non-empty one. */
export async function agreedLeader(live: RunningAgent[], timeoutMs = 10_000, not?: string): Promise<string> {
  return waitFor(async () => {
    const seen = await Promise.all(live.map(async (a) => JSON.parse((await get(a, '/v1/status/leader')).body) as string))
    return seen[0] && seen[0] !== not && seen.every((l) => l === seen[0]) ? seen[0] : ''
  }, timeoutMs, 100)
}

/** KV contents (keys, values, indexes) each server holds locally (?stale), once all are equal. */
export async function convergedKv(live: RunningAgent[], timeoutMs = 20_000): Promise<{Key: string; Value: string | null; ModifyIndex: number}[]> {
  let last: string[] = []
  try {
    const body = await waitFor(async () => {
      last = await Promise.all(live.map(async (a) => {
        const r = await get(a, '/v1/kv/?recurse&stale')
        return r.status === 404 ? '[]' : r.body
      }))
      return last.every((b) => b === last[0]) ? last[0] : ''
    }, timeoutMs, 200)
    return JSON.parse(body) as {Key: string; Value: string | null; ModifyIndex: number}[]
  } catch (e) {
    throw new Error(`servers' KV did not converge: ${(e as Error).message}\n${last.map((b) => b.slice(0, 300)).join('\n')}`)
  }
}

/**
 * A concurrent writer: PUTs w/<n> to the servers in turn until stopped, remembering
 * which writes were acknowledged (200 "true"). Failures during a fault are expected;
 * an acknowledged write must survive it.
 */
export class Workload {
  readonly acked = new Map<string, string>()
  failed = 0
  private n = 0
  private running = true
  private done: Promise<void>

  constructor(private readonly targets: () => RunningAgent[], private readonly prefix: string) {
    this.done = this.loop()
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const ts = this.targets()
      const a = ts[this.n % Math.max(1, ts.length)]
      const key = `${this.prefix}/${++this.n}`
      if (!a) {
        await new Promise((r) => setTimeout(r, 50))
        continue
      }
      try {
        const r = await put(a, `/v1/kv/${key}`, String(this.n))
        if (r.status === 200 && r.body.trim() === 'true') this.acked.set(key, String(this.n))
        else this.failed++
      } catch {
        this.failed++
        await new Promise((r) => setTimeout(r, 50))
      }
    }
  }

  /** Waits until at least `more` further writes were acknowledged (the cluster makes progress). */
  async progress(more: number, timeoutMs = 15_000): Promise<void> {
    const want = this.acked.size + more
    await waitFor(() => this.acked.size >= want, timeoutMs, 50)
  }

  async stop(): Promise<void> {
    this.running = false
    await this.done
  }
}

/** Every acknowledged write is in the KV, with its value. */
export function missing(kv: {Key: string; Value: string | null}[], acked: Map<string, string>): string[] {
  const have = new Map(kv.map((e) => [e.Key, e.Value === null ? '' : Buffer.from(e.Value, 'base64').toString()]))
  return [...acked].filter(([k, v]) => have.get(k) !== v).map(([k]) => k)
}
