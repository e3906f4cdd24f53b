import {clientDelegate} from '../../../src/agent/client/delegate.js'
import type {SimWorld} from '../../../src/agent/env/sim.js'
import type {Random} from '../../../src/agent/env/types.js'
import {RpcError, type RpcCaller} from '../../../src/agent/rpc/client.js'
import {callTimeoutMs} from '../../../src/agent/server/forward.js'
import {EndpointError, type RpcDelegate} from '../../../src/agent/server/endpoints/index.js'
import type {KVEntry} from '../../../src/store/state/types.js'
import type {SetAdd, Violations} from '../checkers.js'
import {History, type HistoryOp, type RegisterOp, type RegisterResult} from '../history.js'
import {ADD_PREFIX} from '../workload.js'
import type {ServerCluster} from './cluster.js'
import type {ServerSimParams} from './params.js'

/** How one client reaches the servers: an agent's router, or straight at one server's endpoints. */
interface Route {
  via(): string
  call(method: string, req: unknown): Promise<unknown>
  /** After a failure: a direct client picks another server (an agent's router does this itself). */
  failed(): void
}

const HOLD_MS = 7_000
/** A direct client's own deadline per call (an HTTP client's timeout): the server's hold plus a forwarded call. */
const DIRECT_TIMEOUT_MS = HOLD_MS + callTimeoutMs({}, 300_000, 600_000) + 1_000

/**
 * Clients issuing KVS.Apply (set, cas) and KVS.Get in all three consistency modes
 * through the endpoint seam: some through a client agent (clientDelegate over the
 * simulated member list and RPC), some straight at a server (its forwarding delegate,
 * reached over the simulated RPC network as an HTTP client reaches its agent). Every
 * call goes into a Jepsen history; a failed call is 'fail' only when it surely did not
 * happen (no leader, no server, never delivered), otherwise 'info'.
 */
export class ServerWorkload {
  readonly history: History
  readonly adds: SetAdd[] = []
  okWritesAfter = 0
  private healAtMs = Infinity
  private stopping = false
  private active = 0
  private readonly slots: {gen: number; ops: number}[]
  private seq = 0
  private readonly agents: RpcDelegate[] = []
  private readonly target: string
  private readonly prefix: string

  constructor(
    private readonly world: SimWorld,
    private readonly cluster: ServerCluster,
    private readonly params: ServerSimParams,
    private readonly rng: Random,
    private readonly violations: Violations,
    /**
     * Two datacenters: `target` is the Datacenter the calls name (default the cluster's
     * own; another one is forwarded over the WAN), `prefix` keeps client names unique in
     * the world, and `history` is shared by every workload aiming at one datacenter.
     */
    opts: {target?: string; prefix?: string; history?: History} = {},
  ) {
    this.target = opts.target ?? cluster.datacenter
    this.prefix = opts.prefix ?? ''
    this.history = opts.history ?? new History(() => world.nowMs())
    this.slots = Array.from({length: params.keys}, () => ({gen: 0, ops: 0}))
    for (let i = 0; i < params.clientAgents; i++) {
      const name = `agent${i + 1}`
      const env = world.envFor(name)
      cluster.gossip.add(name, `127.0.11.${i + 1}`, {role: 'node', dc: cluster.datacenter, id: `00000000-0000-4000-9000-${String(i + 1).padStart(12, '0')}`}, rng.float() * params.aliveDetectMs)
      this.agents.push(clientDelegate({
        env, log: env.log.named('rpc'), pool: cluster.rpc.caller(name), datacenter: cluster.datacenter,
        members: () => cluster.lanMembers(), holdTimeoutMs: HOLD_MS, defaultQueryTimeMs: 300_000, maxQueryTimeMs: 600_000,
      }))
    }
  }

  start(): void {
    for (let i = 0; i < this.params.directClients; i++) void this.client(`${this.prefix}c${i + 1}`, this.direct(`${this.prefix}c${i + 1}`))
    for (let i = 0; i < this.params.agentClients; i++) {
      const a = i % this.agents.length
      void this.client(`a${i + 1}`, this.viaAgent(`a${i + 1}`, `agent${a + 1}`, this.agents[a]!))
    }
  }

  stop(): void {
    this.stopping = true
  }

  markHeal(): void {
    this.healAtMs = this.world.nowMs()
  }

  idle(): boolean {
    return this.active === 0
  }

  keys(): string[] {
    return [...this.history.byKey().keys()].sort()
  }

  /** A `?consistent` read of `key` straight at server `id`, recorded like any read. */
  async finalRead(key: string, id: string): Promise<HistoryOp> {
    const h = this.history.invoke('final', key, {kind: 'read'}, this.cluster.names.get(id)!)
    try {
      const r = await this.read('final', this.directTo('final', id), key, {kind: 'read'})
      this.history.complete(h, 'ok', r)
    } catch (err) {
      this.history.complete(h, 'fail', undefined, (err as Error).message)
    }
    return h
  }

  private direct(name: string): Route {
    const ids = this.cluster.ids
    let target = ids[this.rng.int(ids.length)]!
    const r = this.directTo(name, () => target)
    // Half the time a client keeps its server after a failure (a client pinned to one agent's address).
    return {...r, failed: () => void (this.rng.float() < 0.5 && (target = ids[this.rng.int(ids.length)]!))}
  }

  private directTo(name: string, id: string | (() => string)): Route {
    const pool: RpcCaller = this.cluster.rpc.caller(name)
    const target = typeof id === 'string' ? () => id : id
    return {
      via: () => this.cluster.names.get(target())!,
      call: (method, req) => pool.call(this.cluster.member(target()).addr, method, req, DIRECT_TIMEOUT_MS),
      failed: () => {},
    }
  }

  private viaAgent(name: string, agent: string, rpc: RpcDelegate): Route {
    return {
      via: () => agent,
      // The HTTP hop to the local agent is loopback: no faults, a turn of the agent's.
      call: (method, req) => new Promise((resolve, reject) => {
        this.world.schedule(agent, 0, () => {
          rpc(method as never, req as never).then(
            (v) => void this.world.schedule(name, 0, () => resolve(v), 'reply'),
            (e: unknown) => void this.world.schedule(name, 0, () => reject(e), 'reply'),
          )
        }, 'http')
      }),
      failed: () => {},
    }
  }

  private async client(name: string, route: Route): Promise<void> {
    this.active++
    const lastIndex = new Map<string, number>()
    try {
      while (!this.stopping) {
        await this.sleep(name, this.rng.float() * this.params.thinkMaxMs)
        if (this.stopping) break
        try {
          await this.oneOp(name, route, lastIndex)
        } catch (err) {
          if (!(err instanceof CallFailed)) throw err
          route.failed()
        }
      }
    } catch (err) {
      this.violations.add(`client ${name} crashed: ${(err as Error).stack ?? String(err)}`)
    } finally {
      this.active--
    }
  }

  private async oneOp(client: string, route: Route, lastIndex: Map<string, number>): Promise<void> {
    if (this.rng.float() < this.params.addShare && this.adds.length < this.params.maxAdds) return this.add(client, route)
    const slot = this.rng.int(this.slots.length)
    const s = this.slots[slot]!
    if (s.ops >= this.params.opsPerKey) {
      s.gen++
      s.ops = 0
    }
    s.ops++
    const key = `k${slot}.${s.gen}`
    const x = this.rng.float()
    const value = `${client}-${++this.seq}`
    const op: RegisterOp =
      x < 0.15 ? {kind: 'read'} : x < 0.35 ? {kind: 'read', mode: 'default'} : x < 0.45 ? {kind: 'read', mode: 'stale'} : x < 0.72 ? {kind: 'write', value} : {kind: 'cas', expect: lastIndex.get(key) ?? 0, value}
    const h = this.history.invoke(client, key, op, route.via())
    try {
      if (op.kind === 'read') {
        const r = await this.read(client, route, key, op)
        if (r.index > 0) lastIndex.set(key, r.index)
        this.history.complete(h, 'ok', r)
        return
      }
      const DirEnt = {Key: key, Value: new TextEncoder().encode(op.value), ...(op.kind === 'cas' ? {ModifyIndex: op.expect} : {})}
      const result = await this.call(route, 'KVS.Apply', {Datacenter: this.target, Op: op.kind === 'write' ? 'set' : 'cas', DirEnt})
      if (typeof result !== 'boolean') this.violations.add(`KVS.Apply ${op.kind} ${key} answered ${JSON.stringify(result)}, not a boolean`)
      if (op.kind === 'write' && result !== true) this.violations.add(`KVS.Apply set ${key} answered ${String(result)}`)
      const res: RegisterResult = op.kind === 'cas' ? {swapped: result === true} : {}
      this.history.complete(h, 'ok', res)
      if (this.world.nowMs() >= this.healAtMs) this.okWritesAfter++
    } catch (err) {
      if (!(err instanceof CallFailed)) throw err
      this.history.complete(h, op.kind === 'read' ? 'fail' : err.outcome, undefined, err.message)
      throw err
    }
  }

  private async read(client: string, route: Route, key: string, op: RegisterOp & {kind: 'read'}): Promise<{value: string | null; index: number}> {
    const q = op.mode === 'stale' ? {AllowStale: true} : op.mode === 'default' ? {} : {RequireConsistent: true}
    const r = (await this.call(route, 'KVS.Get', {Datacenter: this.target, Key: key, ...q})) as {value: KVEntry[]; meta: {consistency?: string}}
    const want = op.mode === 'stale' ? 'stale' : op.mode === 'default' ? 'leader' : 'consistent'
    if (r.meta.consistency !== want) this.violations.add(`${client}: a ${want} read of ${key} was served as ${String(r.meta.consistency)}`)
    const e = r.value[0]
    return e ? {value: new TextDecoder().decode(e.Value), index: e.ModifyIndex} : {value: null, index: 0}
  }

  private async add(client: string, route: Route): Promise<void> {
    const a: SetAdd = {key: `${ADD_PREFIX}${client}-${++this.seq}`, value: `v${this.seq}`, status: 'pending'}
    this.adds.push(a)
    try {
      await this.call(route, 'KVS.Apply', {Datacenter: this.target, Op: 'set', DirEnt: {Key: a.key, Value: new TextEncoder().encode(a.value)}})
      a.status = 'ok'
      if (this.world.nowMs() >= this.healAtMs) this.okWritesAfter++
    } catch (err) {
      if (!(err instanceof CallFailed)) throw err
      a.status = err.outcome
      throw err
    }
  }

  /** One call; any error becomes a CallFailed with what the client can know of its outcome. */
  private async call(route: Route, method: string, req: unknown): Promise<unknown> {
    try {
      return await route.call(method, req)
    } catch (err) {
      throw this.classify(err, method)
    }
  }

  private classify(err: unknown, method: string): CallFailed {
    if (err instanceof EndpointError) {
      if (err.code === 'no-leader' || err.code === 'no-servers' || err.code === 'no-path') return new CallFailed('fail', `${err.code}: ${err.message}`)
      if (err.code !== 'internal') this.violations.add(`${method} answered an unexpected ${err.code}: ${err.message}`)
      return new CallFailed('info', `${err.code}: ${err.message}`)
    }
    if (err instanceof RpcError) {
      if (err.kind === 'remote') {
        if (err.remoteCode === 'no-leader') return new CallFailed('fail', `remote no-leader: ${err.message}`)
        // No known server in the target datacenter: refused before anything was sent.
        if (err.remoteCode === 'no-path') return new CallFailed('fail', `remote no-path: ${err.message}`)
        if (err.remoteCode !== 'internal') this.violations.add(`${method} answered an unexpected remote ${String(err.remoteCode)}: ${err.message}`)
        return new CallFailed('info', `remote ${String(err.remoteCode)}: ${err.message}`)
      }
      return new CallFailed(err.kind === 'connect' || !err.maybeDelivered ? 'fail' : 'info', `${err.kind}: ${err.message}`)
    }
    this.violations.add(`${method} failed with a non-RPC error: ${(err as Error)?.stack ?? String(err)}`)
    return new CallFailed('info', String(err))
  }

  private sleep(client: string, ms: number): Promise<void> {
    return new Promise((resolve) => void this.world.schedule(client, ms, resolve, 'think'))
  }
}

/** The client's view of a failed call: 'fail' = surely not applied, 'info' = unknown. */
class CallFailed extends Error {
  constructor(readonly outcome: 'fail' | 'info', message: string) {
    super(message)
  }
}
