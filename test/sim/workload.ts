import type {SimWorld} from '../../src/agent/env/sim.js'
import type {Random} from '../../src/agent/env/types.js'
import {RaftError} from '../../src/agent/raft/node.js'
import {encodeCommand, type KvCommand} from '../../src/store/fsm/commands.js'
import type {SetAdd, Violations} from './checkers.js'
import type {Member, SimCluster} from './cluster.js'
import {History, type HistoryOp, type RegisterOp} from './history.js'
import type {SimParams} from './params.js'

/** Test-only workload knobs that plant client-side bugs (checkers.test.ts). */
export interface WorkloadMutants {
  /** Reads skip verifyLeader and answer from whichever node they reach (stale reads). */
  staleReads?: boolean
  /** Default-mode reads check only isLeader() (no lease), as query.ts did before leaseRead(). */
  defaultReadsWithoutLease?: boolean
}

/** The client's view of a failed call: 'fail' = surely not applied, 'info' = unknown. */
class CallError extends Error {
  constructor(readonly outcome: 'fail' | 'info', message: string, readonly leaderHint = '') {
    super(message)
  }
}

export const ADD_PREFIX = 'add/'

/**
 * Clients issuing KV operations straight to RaftNodes, as the server endpoints would:
 * writes and CAS are FSM commands proposed on the node the client believes leads;
 * reads are either ReadIndex (verifyLeader) then a read of that node's local state, i.e.
 * Consul's `?consistent`, or default-mode reads (the leader's lease, see defaultRead). Calls travel with a client↔server delay and run on the
 * server's turn (a paused server holds them). Every call is recorded in the history.
 */
export class Workload {
  readonly history: History
  readonly adds: SetAdd[] = []
  /** ok writes (write/cas/add) acknowledged after the heal point, for the liveness check. */
  okWritesAfter = 0
  private healAtMs = Infinity
  private stopping = false
  private active = 0
  private readonly slots: {gen: number; ops: number}[]
  private seq = 0

  constructor(
    private readonly world: SimWorld,
    private readonly cluster: SimCluster,
    private readonly params: SimParams,
    private readonly rng: Random,
    private readonly violations: Violations,
    private readonly mutants: WorkloadMutants = {},
  ) {
    this.history = new History(() => world.nowMs())
    this.slots = Array.from({length: params.keys}, () => ({gen: 0, ops: 0}))
  }

  start(): void {
    for (let i = 0; i < this.params.clients; i++) void this.client(`c${i + 1}`)
  }

  /** Clients finish their current operation and stop. */
  stop(): void {
    this.stopping = true
  }

  markHeal(): void {
    this.healAtMs = this.world.nowMs()
  }

  idle(): boolean {
    return this.active === 0
  }

  /** One linearizable read of `key` through `leader`, recorded like any client read. */
  async finalRead(key: string, via: Member): Promise<HistoryOp> {
    const h = this.history.invoke('final', key, {kind: 'read'}, via.id)
    try {
      const r = await this.call('final', via.id, (m) => this.readKey(m, key))
      this.history.complete(h, 'ok', r)
    } catch (err) {
      this.history.complete(h, 'fail', undefined, (err as Error).message)
    }
    return h
  }

  /** The register keys the history touched. */
  keys(): string[] {
    return [...this.history.byKey().keys()].sort()
  }

  private async client(name: string): Promise<void> {
    this.active++
    const ids = this.cluster.ids
    let target = ids[this.rng.int(ids.length)]!
    const lastIndex = new Map<string, number>()
    try {
      while (!this.stopping) {
        await this.sleep(name, this.rng.float() * this.params.thinkMaxMs)
        if (this.stopping) break
        try {
          await this.oneOp(name, target, lastIndex)
        } catch (err) {
          if (!(err instanceof CallError)) throw err
          target = err.leaderHint || ids[this.rng.int(ids.length)]!
        }
      }
    } catch (err) {
      this.violations.add(`client ${name} crashed: ${(err as Error).stack ?? String(err)}`)
    } finally {
      this.active--
    }
  }

  private async oneOp(client: string, target: string, lastIndex: Map<string, number>): Promise<void> {
    if (this.rng.float() < this.params.addShare && this.adds.length < this.params.maxAdds) return this.add(client, target)
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
    const op: RegisterOp = x < 0.2 ? {kind: 'read'} : x < 0.4 ? {kind: 'read', mode: 'default'} : x < 0.7 ? {kind: 'write', value} : {kind: 'cas', expect: lastIndex.get(key) ?? 0, value}
    const h = this.history.invoke(client, key, op, target)
    try {
      if (op.kind === 'read') {
        const read = (m: Member) => (this.mutants.staleReads ? Promise.resolve(readState(m, key)) : op.mode === 'default' ? this.defaultRead(m, key) : this.readKey(m, key))
        const r = await this.call(client, target, read)
        lastIndex.set(key, r.index)
        this.history.complete(h, 'ok', r)
        return
      }
      const cmd: KvCommand = {type: 'kv', op: op.kind === 'write' ? 'set' : 'cas', entry: {Key: key, Value: new TextEncoder().encode(op.value)}, now: this.world.nowMs()}
      if (op.kind === 'cas') cmd.cas = op.expect
      const opts = this.forwarded()
      const {index, result} = await this.call(client, target, (m) => m.node.propose(encodeCommand(cmd), opts))
      if (typeof result !== 'boolean') this.violations.add(`unexpected FSM result for ${op.kind} ${key}: ${String(result)}`)
      this.history.complete(h, 'ok', op.kind === 'write' ? {index} : {index, swapped: result === true})
      if (op.kind === 'write' || result === true) lastIndex.set(key, index)
      if (this.world.nowMs() >= this.healAtMs) this.okWritesAfter++
    } catch (err) {
      if (!(err instanceof CallError)) throw err
      this.history.complete(h, op.kind === 'read' ? 'fail' : err.outcome, undefined, err.message)
      throw err
    }
  }

  private async add(client: string, target: string): Promise<void> {
    const a: SetAdd = {key: `${ADD_PREFIX}${client}-${++this.seq}`, value: `v${this.seq}`, status: 'pending'}
    this.adds.push(a)
    const cmd: KvCommand = {type: 'kv', op: 'set', entry: {Key: a.key, Value: new TextEncoder().encode(a.value)}, now: this.world.nowMs()}
    try {
      const opts = this.forwarded()
      await this.call(client, target, (m) => m.node.propose(encodeCommand(cmd), opts))
      a.status = 'ok'
      if (this.world.nowMs() >= this.healAtMs) this.okWritesAfter++
    } catch (err) {
      if (!(err instanceof CallError)) throw err
      a.status = err.outcome
      throw err
    }
  }

  private async readKey(m: Member, key: string): Promise<{value: string | null; index: number}> {
    await m.node.verifyLeader()
    // Runs in the same event that confirmed the read index: nothing else applied in between.
    return readState(m, key)
  }

  /**
   * Consul's default (leader) mode as the server endpoints serve it: the leader answers
   * from its local state without a quorum round while it holds its read lease
   * (RaftNode.leaseRead; a ReadIndex round without it). The mutant is the lease-less
   * form, which isLeader() alone gives: not linearizable (docs/simulation.md).
   */
  private async defaultRead(m: Member, key: string): Promise<{value: string | null; index: number}> {
    if (this.mutants.defaultReadsWithoutLease) {
      if (!m.node.isLeader()) throw new RaftError('not-leader', 'node is not the leader', m.node.leader())
    } else {
      await m.node.leaseRead()
    }
    return readState(m, key)
  }

  /** A call to server `id`: travels there, runs on its turn, travels back. Errors become CallErrors. */
  private call<T>(client: string, id: string, fn: (m: Member) => Promise<T>): Promise<T> {
    const delay = () => this.rng.float() * this.params.clientDelayMaxMs
    return new Promise<T>((resolve, reject) => {
      const back = (f: () => void) => void this.world.schedule(client, delay(), f, 'reply')
      this.world.schedule(id, delay(), () => {
        const m = this.cluster.member(id)
        if (!m.up) return back(() => reject(new CallError('fail', 'connection refused')))
        fn(m).then(
          (v) => back(() => resolve(v)),
          (err: unknown) => {
            if (!(err instanceof RaftError)) this.violations.add(`unexpected error from ${id}: ${(err as Error)?.stack ?? String(err)}`)
            back(() => reject(classify(err)))
          },
        )
      }, 'call')
    })
  }

  /** Whether this write asks a follower to forward it (drawn only when the seed mixes both). */
  private forwarded(): {forward: boolean} {
    const share = this.params.forwardShare
    return {forward: share >= 1 || (share > 0 && this.rng.float() < share)}
  }

  private sleep(client: string, ms: number): Promise<void> {
    return new Promise((resolve) => void this.world.schedule(client, ms, resolve, 'think'))
  }
}

function readState(m: Member, key: string): {value: string | null; index: number} {
  const {entry} = m.fsm.state.kvGet(key)
  return entry ? {value: new TextDecoder().decode(entry.Value), index: entry.ModifyIndex} : {value: null, index: 0}
}

function classify(err: unknown): CallError {
  if (!(err instanceof RaftError)) return new CallError('info', `unexpected error: ${(err as Error)?.message ?? String(err)}`)
  switch (err.code) {
    case 'not-leader':
      return new CallError('fail', err.message, err.leader)
    case 'busy':
    case 'invalid':
    case 'storage':
      return new CallError('fail', `${err.code}: ${err.message}`)
    default:
      // timeout, leadership-lost, stopped: the entry may still commit.
      return new CallError('info', `${err.code}: ${err.message}`)
  }
}
