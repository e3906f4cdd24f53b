import {seededRandom} from '../../../src/agent/env/prng.js'
import type {Random} from '../../../src/agent/env/types.js'
import {
  bootstrapSnapshot,
  confChangeOf,
  EntryType,
  MemoryStorage,
  MsgType,
  RawNode,
  type Entry,
  type Message,
  type ProposalResult,
  type RaftConfig,
  type ReadState,
  type Ready,
  type Status,
} from '../../../src/agent/raft/core/index.js'

/**
 * A synchronous in-memory cluster for the Raft core (modelled on etcd's raft_test.go
 * `network`): each node is a RawNode over a MemoryStorage; the harness plays the driver
 * (persist → queue messages → apply → advance) and delivers queued messages, applying
 * cuts, ignored types and seeded random drops, until nothing is left to do.
 */

export interface TestNode {
  id: string
  raw: RawNode
  storage: MemoryStorage
  /** The state machine: one line per applied entry, `index:term:type:payload`. */
  applied: string[]
  readStates: ReadState[]
  /** Answers to this node's forwarded proposals (Ready.proposals). */
  proposals: ProposalResult[]
}

export type NodeOptions = Partial<Omit<RaftConfig, 'id' | 'storage' | 'randomInt'>>

export interface NetworkOptions extends NodeOptions {
  seed?: number
}

const enc = new TextEncoder()
const dec = new TextDecoder()

export function text(data: Uint8Array): string {
  return dec.decode(data)
}

export function appliedLine(e: Entry): string {
  const payload = e.type === EntryType.ConfChange ? `conf ${text(e.data)}` : text(e.data)
  return `${e.index}:${e.term}:${e.type}:${payload}`
}

/** Is a a prefix of b? */
export function isPrefix(a: readonly string[], b: readonly string[]): boolean {
  return a.length <= b.length && a.every((x, i) => x === b[i])
}

export class Network {
  readonly nodes = new Map<string, TestNode>()
  queue: Message[] = []
  /** Every message handed to deliver(), in order (dropped ones too). */
  readonly sent: Message[] = []
  readonly rng: Random
  private readonly cuts = new Set<string>()
  private readonly ignored = new Set<MsgType>()
  private readonly dropRates = new Map<string, number>()
  /** Extra filter: return false to drop a message, or a replacement message to deliver. */
  hook: ((m: Message) => boolean | Message) | undefined

  constructor(
    ids: string[],
    private readonly opts: NetworkOptions = {},
  ) {
    this.rng = seededRandom(opts.seed ?? 1)
    for (const id of ids) this.addNode(id, ids)
  }

  /**
   * Adds a node. With `bootstrapVoters` it installs the shared bootstrap snapshot (a founding
   * member); without, it starts empty (a joiner waiting to be added and sent a snapshot).
   */
  addNode(id: string, bootstrapVoters?: string[], overrides: NodeOptions = {}): TestNode {
    const storage = new MemoryStorage()
    if (bootstrapVoters) storage.applySnapshot(bootstrapSnapshot(bootstrapVoters))
    const node: TestNode = {id, raw: this.makeRaw(id, storage, overrides), storage, applied: [], readStates: [], proposals: []}
    this.nodes.set(id, node)
    return node
  }

  /** Restarts a node from its storage (a crash that loses nothing durable). */
  restart(id: string, overrides: NodeOptions = {}): TestNode {
    const n = this.node(id)
    // The FSM is rebuilt from the snapshot; committed entries after it are replayed.
    const snap = n.storage.snapshot()
    n.applied = snap.data.length > 0 ? (JSON.parse(text(snap.data)) as string[]) : []
    n.readStates = []
    n.raw = this.makeRaw(id, n.storage, {applied: snap.meta.index, ...overrides})
    return n
  }

  private makeRaw(id: string, storage: MemoryStorage, overrides: NodeOptions): RawNode {
    const {seed: _seed, ...rest} = this.opts
    const jitter = seededRandom((this.opts.seed ?? 1) * 1000 + hash(id))
    return new RawNode({id, storage, randomInt: (n) => jitter.int(n), ...rest, ...overrides})
  }

  node(id: string): TestNode {
    const n = this.nodes.get(id)
    if (!n) throw new Error(`no node ${id}`)
    return n
  }

  status(id: string): Status {
    return this.node(id).raw.status()
  }

  /** Ids of nodes that believe they lead. */
  leaders(): string[] {
    return [...this.nodes.values()].filter((n) => n.raw.status().role === 'leader').map((n) => n.id)
  }

  leader(): string {
    const ls = this.leaders()
    if (ls.length !== 1) throw new Error(`expected one leader, got [${ls.join(',')}]`)
    return ls[0]!
  }

  // ---- the driver ------------------------------------------------------------------

  /** Plays the driver for one Ready of node `id`; false when it had none. */
  processReady(id: string): boolean {
    const n = this.node(id)
    if (!n.raw.hasReady()) return false
    const rd = n.raw.ready()
    this.persistAndApply(n, rd)
    n.raw.advance(rd)
    return true
  }

  /** Steps 1-3 of the Ready contract: persist, queue the messages, apply. */
  persistAndApply(n: TestNode, rd: Ready): void {
    if (rd.snapshot) n.storage.applySnapshot(rd.snapshot)
    n.storage.append(rd.entries)
    if (rd.hardState) n.storage.setHardState(rd.hardState)
    this.queue.push(...rd.messages)
    if (rd.snapshot) {
      const restored = rd.snapshot.data.length > 0 ? (JSON.parse(text(rd.snapshot.data)) as string[]) : []
      // State-machine safety across a restore: what we applied must be a prefix of it.
      if (!isPrefix(n.applied, restored)) throw new Error(`node ${n.id}: snapshot does not extend its applied state`)
      n.applied = restored
    }
    for (const e of rd.committedEntries) {
      n.applied.push(appliedLine(e))
      const cc = confChangeOf(e)
      if (cc) n.storage.setConfState(n.raw.applyConfChange(cc))
    }
    n.readStates.push(...rd.readStates)
    if (rd.proposals) n.proposals.push(...rd.proposals)
  }

  /** A message the network lost: a snapshot's sender hears of the failure, as from a real transport. */
  lose(m: Message): void {
    if (m.type === MsgType.Snap) this.nodes.get(m.from)?.raw.reportSnapshot(m.to, false)
  }

  /** Delivers one message unless a cut, an ignored type, a drop rate or the hook stops it. */
  deliver(m: Message): void {
    this.sent.push(m)
    const to = this.nodes.get(m.to)
    const pass = to !== undefined && this.passes(m)
    const ok = pass !== false
    if (to && pass !== false) to.raw.step(pass === true ? m : pass)
    // The transport's report of a snapshot transfer, as a real driver would make it.
    if (m.type === MsgType.Snap) this.nodes.get(m.from)?.raw.reportSnapshot(m.to, ok)
  }

  private passes(m: Message): boolean | Message {
    if (this.ignored.has(m.type)) return false
    if (this.cuts.has(`${m.from}->${m.to}`)) return false
    const rate = this.dropRates.get(`${m.from}->${m.to}`) ?? 0
    if (rate > 0 && this.rng.float() < rate) return false
    return this.hook ? this.hook(m) : true
  }

  /** Delivers what is queued now (no Ready processing). */
  deliverQueued(): void {
    const batch = this.queue
    this.queue = []
    for (const m of batch) this.deliver(m)
  }

  /** Runs Readies and deliveries (FIFO) until quiescent. */
  stabilize(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      let busy = false
      for (const id of this.nodes.keys()) while (this.processReady(id)) busy = true
      if (this.queue.length > 0) {
        const batch = this.queue
        this.queue = []
        for (const m of batch) this.deliver(m)
        busy = true
      }
      if (!busy) return
    }
    throw new Error('network did not stabilize')
  }

  // ---- faults ------------------------------------------------------------------------

  cut(a: string, b: string): void {
    this.cuts.add(`${a}->${b}`)
    this.cuts.add(`${b}->${a}`)
  }

  isolate(id: string): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cut(id, other)
  }

  /** Splits the nodes into groups that only talk within themselves. */
  partition(...groups: string[][]): void {
    for (const g of groups) for (const h of groups) if (g !== h) for (const a of g) for (const b of h) this.cut(a, b)
  }

  drop(from: string, to: string, rate: number): void {
    this.dropRates.set(`${from}->${to}`, rate)
  }

  ignore(type: MsgType): void {
    this.ignored.add(type)
  }

  recover(): void {
    this.cuts.clear()
    this.ignored.clear()
    this.dropRates.clear()
    this.hook = undefined
  }

  // ---- intents -----------------------------------------------------------------------

  /** Ticks the given nodes (default: all) n times, stabilizing after each round. */
  tick(n = 1, ids: string[] = [...this.nodes.keys()]): void {
    for (let i = 0; i < n; i++) {
      for (const id of ids) this.node(id).raw.tick()
      this.stabilize()
    }
  }

  campaign(id: string): void {
    this.node(id).raw.campaign()
    this.stabilize()
  }

  propose(id: string, data: string): void {
    this.node(id).raw.propose(enc.encode(data))
    this.stabilize()
  }

  /** Payloads of applied Normal entries with data (no-ops and conf changes left out). */
  appliedData(id: string): string[] {
    return this.node(id)
      .applied.filter((l) => l.split(':')[2] === String(EntryType.Normal))
      .map((l) => l.split(':').slice(3).join(':'))
      .filter((p) => p !== '')
  }

  /** Takes a snapshot of node id's applied state and compacts its log up to it. */
  snapshotAndCompact(id: string): void {
    const n = this.node(id)
    const st = n.raw.status()
    const last = n.applied[n.applied.length - 1]
    if (last !== undefined && Number(last.split(':')[0]) !== st.applied) throw new Error(`node ${id}: FSM is not at applied ${st.applied}`)
    n.storage.createSnapshot(st.applied, st.conf, enc.encode(JSON.stringify(n.applied)))
    n.storage.compact(st.applied)
  }

  /** State-machine safety: every applied sequence is a prefix of the longest. */
  assertAppliedPrefixes(): void {
    const all = [...this.nodes.values()]
    const longest = all.reduce((a, b) => (b.applied.length > a.applied.length ? b : a))
    for (const n of all) {
      if (!isPrefix(n.applied, longest.applied)) {
        throw new Error(`node ${n.id} applied a different sequence than ${longest.id}:\n${n.applied.join('\n')}\nvs\n${longest.applied.join('\n')}`)
      }
    }
  }
}

function hash(s: string): number {
  let h = 0
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0
  return h
}
