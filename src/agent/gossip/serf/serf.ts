import type {Env, Logger, TimerHandle} from '../../env/types.js'
import {ShortRead, WireError} from '../codec.js'
import {BroadcastQueue} from '../memberlist/broadcast-queue.js'
import {Memberlist, type MemberNode, type MemberlistTransport} from '../memberlist/memberlist.js'
import {NodeState, type Addr} from '../memberlist/messages.js'
import type {MemberlistTiming} from '../memberlist/config.js'
import type {StreamMsg} from '../memberlist/wire.js'
import {Lamport} from './lamport.js'
import {
  QueryFlag, SerfMsg,
  decodeFilter, decodeJoin, decodeLeave, decodePushPull, decodeQuery, decodeQueryResponse, decodeRelayHeader, decodeTags, decodeUserEvent,
  encodeFilter, encodeRelay, encodeJoin, encodeLeave, encodePushPull, encodeQuery, encodeQueryResponse, encodeTags, encodeUserEvent,
  type LeaveMsg, type JoinMsg, type QueryFilter, type QueryMsg, type UserEventMsg,
} from './messages.js'

/** Serf member status (serf.MemberStatus), the numbers /v1/agent/members shows. */
export const MemberStatus = {none: 0, alive: 1, leaving: 2, left: 3, failed: 4} as const
export type MemberStatusType = (typeof MemberStatus)[keyof typeof MemberStatus]

export interface SerfMember {
  name: string
  addr: Addr
  tags: Record<string, string>
  status: MemberStatusType
  /** [pMin, pMax, pCur, dMin, dMax, dCur] */
  vsn: number[]
  statusLTime: number
  /** Monotonic ms when it failed or left (for reaping), 0 otherwise. */
  leaveMs: number
}

export type SerfEvent =
  | {type: 'member-join' | 'member-leave' | 'member-failed' | 'member-update' | 'member-reap'; member: SerfMember}
  | {type: 'user'; ltime: number; name: string; payload: Uint8Array; coalesce: boolean}
  | {type: 'query'; query: IncomingQuery}

export interface IncomingQuery {
  name: string
  payload: Uint8Array
  ltime: number
  sourceNode: string
  /** Answer before the query's deadline; false when too late or too large. */
  respond(payload: Uint8Array): boolean
}

export interface QueryParams {
  filters?: QueryFilter[]
  requestAck?: boolean
  relayFactor?: number
  timeoutMs?: number
}

export interface QueryResult {
  responses: Map<string, Uint8Array>
  acks: Set<string>
}

export interface SerfOptions {
  name: string
  advertise: Addr
  tags: Record<string, string>
  timing: MemberlistTiming
  env: Env
  log: Logger
  transport: MemberlistTransport
  onEvent(e: SerfEvent): void
  /** Consul's merge checks (datacenter, server role on WAN): a reason to refuse, or undefined. */
  validateMember?(m: {name: string; tags: Record<string, string>; addr: Addr}): string | undefined
  reconnectTimeoutMs?: number
  tombstoneTimeoutMs?: number
  /** Clocks restored from a snapshot. */
  clocks?: {clock: number; eventClock: number; queryClock: number}
}

const EVENT_BUFFER = 512
const QUERY_BUFFER = 512
const USER_EVENT_SIZE_LIMIT = 512
const QUERY_SIZE_LIMIT = 1024
const QUERY_RESPONSE_SIZE_LIMIT = 1024
const RECENT_INTENT_MS = 5 * 60_000
const REAP_INTERVAL_MS = 15_000
const RECONNECT_INTERVAL_MS = 30_000
const BROADCAST_TIMEOUT_MS = 5_000
const QUERY_TIMEOUT_MULT = 16

interface Intent {
  type: 'join' | 'leave'
  ltime: number
  atMs: number
}

interface PendingQuery {
  ltime: number
  id: number
  deadlineMs: number
  result: QueryResult
  timer: TimerHandle
  resolve(r: QueryResult): void
  onResponse?(from: string, payload: Uint8Array): boolean | void
}

/**
 * Serf on memberlist, on Serf's wire: member status with Lamport-clocked join and
 * leave intents (so a graceful leave is told apart from a failure), tags in node
 * meta, user events, queries (which carry keyring operations), reaping of failed
 * and left members, and reconnect attempts to failed ones.
 */
export class Serf {
  readonly memberlist: Memberlist
  readonly clock = new Lamport()
  readonly eventClock = new Lamport()
  readonly queryClock = new Lamport()
  private readonly members = new Map<string, SerfMember>()
  private readonly intents = new Map<string, Intent>()
  private readonly intentQueue: BroadcastQueue
  private readonly eventQueue: BroadcastQueue
  private readonly queryQueue: BroadcastQueue
  private readonly eventBuffer: ({ltime: number; events: {name: string; payload: Uint8Array}[]} | undefined)[] = new Array(EVENT_BUFFER)
  private readonly queryBuffer: ({ltime: number; ids: number[]} | undefined)[] = new Array(QUERY_BUFFER)
  private readonly pending = new Map<string, PendingQuery>()
  private readonly timers: TimerHandle[] = []
  private eventMinTime = 0
  private tags: Record<string, string>
  private state: 'alive' | 'leaving' | 'left' | 'shutdown' = 'alive'
  private readonly env: Env

  constructor(private readonly o: SerfOptions) {
    this.env = o.env
    this.tags = {...o.tags}
    if (o.clocks) {
      this.clock.witness(o.clocks.clock)
      this.eventClock.witness(o.clocks.eventClock)
      this.queryClock.witness(o.clocks.queryClock)
      this.eventMinTime = o.clocks.eventClock + 1
    }
    const limit = () => Math.max(1, 4 * Math.ceil(Math.log10(this.members.size + 1)))
    this.intentQueue = new BroadcastQueue(limit)
    this.eventQueue = new BroadcastQueue(limit)
    this.queryQueue = new BroadcastQueue(limit)
    this.memberlist = new Memberlist({
      name: o.name,
      advertise: o.advertise,
      timing: o.timing,
      env: o.env,
      log: o.log,
      transport: o.transport,
      delegate: {
        nodeMeta: () => encodeTags(this.tags),
        notifyMsg: (b) => this.notifyMsg(b),
        getBroadcasts: (overhead, limit) => {
          const out: Uint8Array[] = []
          let room = limit
          for (const q of [this.intentQueue, this.queryQueue, this.eventQueue]) {
            const got = q.get(overhead, room)
            for (const m of got) room -= overhead + m.length
            out.push(...got)
          }
          return out
        },
        localState: () => this.localState(),
        mergeRemoteState: (b, join) => this.mergeRemoteState(b, join),
        notifyJoin: (n) => this.handleNodeJoin(n),
        notifyLeave: (n) => this.handleNodeLeave(n),
        notifyUpdate: (n) => this.handleNodeUpdate(n),
        notifyMerge: (nodes) => {
          for (const n of nodes) {
            const why = this.nameConflict(n) ?? this.validate(n)
            if (why) return why
          }
          return undefined
        },
        notifyAlive: (n) => this.validate(n),
        notifyConflict: (existing, other) => {
          o.log.error(`name conflict for '${existing.name}': ${existing.addr.ip}:${existing.addr.port} vs ${other.addr.ip}:${other.addr.port}`)
        },
        ackPayload: () => this.ackPayload(),
        notifyPingComplete: (n, rtt, payload) => this.onPingComplete?.(n.name, rtt, payload),
      },
    })
  }

  /** Set by the layer above to attach a network coordinate to acks (Serf's ping delegate). */
  ackPayload: () => Uint8Array = () => new Uint8Array(0)
  onPingComplete?: (node: string, rttMs: number, payload: Uint8Array) => void

  get name(): string {
    return this.o.name
  }

  start(): void {
    this.memberlist.start()
    this.timers.push(this.env.timers.every(REAP_INTERVAL_MS, () => this.reap()))
    this.timers.push(this.env.timers.every(RECONNECT_INTERVAL_MS, () => this.reconnect()))
  }

  shutdown(): void {
    this.state = 'shutdown'
    for (const t of this.timers) t.cancel()
    this.memberlist.stop()
    for (const p of this.pending.values()) {
      p.timer.cancel()
      p.resolve(p.result)
    }
    this.pending.clear()
  }

  allMembers(): SerfMember[] {
    return [...this.members.values()]
  }

  localMember(): SerfMember | undefined {
    return this.members.get(this.o.name)
  }

  localTags(): Record<string, string> {
    return {...this.tags}
  }

  setTags(tags: Record<string, string>): void {
    this.tags = {...tags}
    this.memberlist.updateMeta()
  }

  /** Joins through any of `addrs`, then announces our join intent. */
  async join(addrs: Addr[]): Promise<{joined: number; errors: string[]}> {
    const r = await this.memberlist.join(addrs)
    if (r.joined > 0) this.broadcastJoin(this.clock.time())
    return r
  }

  /** Graceful leave: a leave intent everyone records as "left", then memberlist's own leave. */
  async leave(): Promise<void> {
    if (this.state !== 'alive') return
    this.state = 'leaving'
    const msg: LeaveMsg = {ltime: this.clock.time(), node: this.o.name, prune: false}
    this.clock.increment()
    this.handleLeaveIntent(msg)
    if (this.memberlist.numAlive() > 0) await this.broadcastAndWait(this.intentQueue, encodeLeave(msg))
    await this.memberlist.leave(BROADCAST_TIMEOUT_MS)
    this.state = 'left'
  }

  /** force-leave: a failed (or any) member is marked left everywhere; prune erases it at once. */
  async removeFailedNode(name: string, prune: boolean): Promise<void> {
    const msg: LeaveMsg = {ltime: this.clock.time(), node: name, prune}
    this.clock.increment()
    this.handleLeaveIntent(msg)
    if (this.memberlist.numAlive() > 0) await this.broadcastAndWait(this.intentQueue, encodeLeave(msg))
  }

  /** Fires a user event (Lamport-ordered, deduplicated, buffered for late joiners via push/pull). */
  userEvent(name: string, payload: Uint8Array, coalesce: boolean): void {
    if (name.length + payload.length > USER_EVENT_SIZE_LIMIT) {
      throw new Error(`user event exceeds the configured limit of ${USER_EVENT_SIZE_LIMIT} bytes before encoding`)
    }
    const msg: UserEventMsg = {ltime: this.eventClock.time(), name, payload, cc: coalesce}
    this.eventClock.increment()
    this.handleUserEvent(msg)
    this.eventQueue.queue({msg: encodeUserEvent(msg)})
  }

  defaultQueryTimeoutMs(): number {
    return this.o.timing.gossipIntervalMs * QUERY_TIMEOUT_MULT * Math.ceil(Math.log10(this.members.size + 1))
  }

  /** Sends a query to the pool and collects answers until its timeout. */
  /** onResponse may return true to finish early (every expected answer is in). */
  query(name: string, payload: Uint8Array, p: QueryParams = {}, onResponse?: (from: string, payload: Uint8Array) => boolean | void): Promise<QueryResult> {
    const timeoutMs = p.timeoutMs ?? this.defaultQueryTimeoutMs()
    const q: QueryMsg = {
      ltime: this.queryClock.time(),
      id: this.env.random.int(0x7fffffff),
      addr: this.o.advertise,
      sourceNode: this.o.name,
      filters: (p.filters ?? []).map(encodeFilter),
      flags: p.requestAck ? QueryFlag.ack : 0,
      relayFactor: p.relayFactor ?? 0,
      timeoutNs: timeoutMs * 1e6,
      name,
      payload,
    }
    this.queryClock.increment()
    const raw = encodeQuery(q)
    if (raw.length > QUERY_SIZE_LIMIT) return Promise.reject(new Error(`query exceeds limit of ${QUERY_SIZE_LIMIT} bytes`))
    return new Promise((resolve) => {
      const key = `${q.ltime}/${q.id}`
      const result: QueryResult = {responses: new Map(), acks: new Set()}
      const timer = this.env.timers.after(timeoutMs, () => {
        this.pending.delete(key)
        resolve(result)
      })
      this.pending.set(key, {ltime: q.ltime, id: q.id, deadlineMs: this.env.clock.nowMs() + timeoutMs, result, timer, resolve, onResponse})
      this.handleQuery(q)
      this.queryQueue.queue({msg: raw})
    })
  }

  stats(): Record<string, string> {
    let failed = 0, left = 0
    for (const m of this.members.values()) {
      if (m.status === MemberStatus.failed) failed++
      if (m.status === MemberStatus.left) left++
    }
    return {
      members: String(this.members.size),
      failed: String(failed),
      left: String(left),
      health_score: String(this.memberlist.healthScore()),
      member_time: String(this.clock.time()),
      event_time: String(this.eventClock.time()),
      query_time: String(this.queryClock.time()),
      intent_queue: String(this.intentQueue.size()),
      event_queue: String(this.eventQueue.size()),
      query_queue: String(this.queryQueue.size()),
      encrypted: 'false',
      packets_dropped: String(this.memberlist.stats.packetsDropped),
    }
  }

  // ── memberlist plumbing ─────────────────────────────────────────────────────

  handlePacket(buf: Uint8Array, from: Addr): void {
    this.memberlist.handlePacket(buf, from)
  }

  handleStream(msg: StreamMsg, from: Addr): Uint8Array | undefined {
    return this.memberlist.handleStream(msg, from)
  }

  /**
   * Node names are unique in a pool: a join that would bring in a second live member
   * with our name (or with a live member's name) at another address is refused.
   */
  private nameConflict(n: MemberNode): string | undefined {
    if (n.state !== NodeState.alive && n.state !== NodeState.suspect) return undefined
    const mine = n.name === this.o.name ? {addr: this.o.advertise, status: MemberStatus.alive} : this.members.get(n.name)
    if (!mine || mine.status !== MemberStatus.alive) return undefined
    if (mine.addr.ip === n.addr.ip && mine.addr.port === n.addr.port) return undefined
    return `Member '${n.name}' has conflicting address ${n.addr.ip}:${n.addr.port} with ${mine.addr.ip}:${mine.addr.port} (node names must be unique in the pool: pick another -node)`
  }

  private validate(n: MemberNode): string | undefined {
    if (!this.o.validateMember) return undefined
    let tags: Record<string, string>
    try {
      tags = decodeTags(n.meta)
    } catch {
      return `member '${n.name}' has unreadable tags`
    }
    return this.o.validateMember({name: n.name, tags, addr: n.addr})
  }

  private notifyMsg(buf: Uint8Array): void {
    if (buf.length === 0) return
    const body = buf.subarray(1)
    try {
      switch (buf[0]) {
        case SerfMsg.leave:
          if (this.handleLeaveIntent(decodeLeave(body))) this.intentQueue.queue({msg: buf.slice()})
          return
        case SerfMsg.join:
          if (this.handleJoinIntent(decodeJoin(body))) this.intentQueue.queue({msg: buf.slice()})
          return
        case SerfMsg.userEvent:
          if (this.handleUserEvent(decodeUserEvent(body))) this.eventQueue.queue({msg: buf.slice()})
          return
        case SerfMsg.query:
          if (this.handleQuery(decodeQuery(body))) this.queryQueue.queue({msg: buf.slice()})
          return
        case SerfMsg.queryResponse:
          return this.handleQueryResponse(decodeQueryResponse(body))
        case SerfMsg.relay: {
          const r = decodeRelayHeader(body)
          this.memberlist.sendUserPacket(r.dest, r.rest.slice())
          return
        }
        default:
          throw new WireError(`unknown serf message type ${buf[0]}`)
      }
    } catch (e) {
      if (!(e instanceof WireError || e instanceof ShortRead || e instanceof RangeError)) throw e
      this.memberlist.stats.packetsDropped++
      this.o.log.debug('dropped a serf message', {error: (e as Error).message})
    }
  }

  private broadcastJoin(ltime: number): void {
    const msg: JoinMsg = {ltime, node: this.o.name}
    this.clock.witness(ltime)
    this.handleJoinIntent(msg)
    this.intentQueue.queue({msg: encodeJoin(msg)})
  }

  private broadcastAndWait(q: BroadcastQueue, msg: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.env.timers.after(BROADCAST_TIMEOUT_MS, resolve)
      q.queue({msg, done: () => { timer.cancel(); resolve() }})
    })
  }

  private recordIntent(node: string, type: Intent['type'], ltime: number): boolean {
    const now = this.env.clock.nowMs()
    const cur = this.intents.get(node)
    if (cur && now - cur.atMs < RECENT_INTENT_MS && cur.ltime >= ltime) return false
    this.intents.set(node, {type, ltime, atMs: now})
    return true
  }

  private recentIntent(node: string, type: Intent['type']): number | undefined {
    const i = this.intents.get(node)
    if (!i || i.type !== type || this.env.clock.nowMs() - i.atMs >= RECENT_INTENT_MS) return undefined
    return i.ltime
  }

  private handleJoinIntent(j: JoinMsg): boolean {
    this.clock.witness(j.ltime)
    const m = this.members.get(j.node)
    if (!m) return this.recordIntent(j.node, 'join', j.ltime)
    if (j.ltime <= m.statusLTime) return false
    m.statusLTime = j.ltime
    if (m.status === MemberStatus.leaving) m.status = MemberStatus.alive
    return true
  }

  private handleLeaveIntent(l: LeaveMsg): boolean {
    this.clock.witness(l.ltime)
    const m = this.members.get(l.node)
    if (!m) return this.recordIntent(l.node, 'leave', l.ltime)
    if (l.ltime <= m.statusLTime) return false
    if (l.node === this.o.name && this.state === 'alive') {
      // Someone says we left while we are alive: refute with a newer join intent.
      this.env.timers.defer(() => this.broadcastJoin(this.clock.time()))
      return false
    }
    // Record the newest intent time whatever the status (Serf does, since serf#30):
    // otherwise an older join intent could still undo this leave, and the same
    // intent would keep passing the staleness check above and be re-gossiped.
    m.statusLTime = l.ltime
    switch (m.status) {
      case MemberStatus.alive:
        m.status = MemberStatus.leaving
        if (l.prune) this.prune(m)
        return true
      case MemberStatus.failed:
        m.status = MemberStatus.left
        m.leaveMs = this.env.clock.nowMs()
        this.o.onEvent({type: 'member-leave', member: {...m}})
        if (l.prune) this.prune(m)
        return true
      case MemberStatus.leaving:
      case MemberStatus.left:
        if (l.prune) this.prune(m)
        return true
      default:
        return false
    }
  }

  private prune(m: SerfMember): void {
    this.members.delete(m.name)
    this.o.onEvent({type: 'member-reap', member: {...m}})
  }

  private handleNodeJoin(n: MemberNode): void {
    let m = this.members.get(n.name)
    let tags: Record<string, string>
    try {
      tags = decodeTags(n.meta)
    } catch {
      tags = {}
    }
    if (!m) {
      m = {name: n.name, addr: n.addr, tags, status: MemberStatus.alive, vsn: n.vsn, statusLTime: 0, leaveMs: 0}
      const j = this.recentIntent(n.name, 'join')
      if (j !== undefined) m.statusLTime = j
      const l = this.recentIntent(n.name, 'leave')
      if (l !== undefined && l > m.statusLTime) {
        m.status = MemberStatus.leaving
        m.statusLTime = l
      }
      this.members.set(n.name, m)
    } else {
      m.status = MemberStatus.alive
      m.leaveMs = 0
      m.addr = n.addr
      m.tags = tags
    }
    m.vsn = n.vsn
    this.o.onEvent({type: 'member-join', member: {...m}})
  }

  private handleNodeLeave(n: MemberNode): void {
    const m = this.members.get(n.name)
    if (!m) return
    if (m.status === MemberStatus.leaving || n.state === NodeState.left) {
      m.status = MemberStatus.left
      m.leaveMs = this.env.clock.nowMs()
      this.o.onEvent({type: 'member-leave', member: {...m}})
    } else if (m.status === MemberStatus.alive) {
      m.status = MemberStatus.failed
      m.leaveMs = this.env.clock.nowMs()
      this.o.onEvent({type: 'member-failed', member: {...m}})
    }
  }

  private handleNodeUpdate(n: MemberNode): void {
    const m = this.members.get(n.name)
    if (!m) return
    m.addr = n.addr
    try {
      m.tags = decodeTags(n.meta)
    } catch {
      // keep the old tags
    }
    m.vsn = n.vsn
    this.o.onEvent({type: 'member-update', member: {...m}})
  }

  private handleUserEvent(e: UserEventMsg): boolean {
    this.eventClock.witness(e.ltime)
    if (e.ltime < this.eventMinTime) return false
    const cur = this.eventClock.time()
    if (cur > EVENT_BUFFER && e.ltime < cur - EVENT_BUFFER) return false
    const idx = e.ltime % EVENT_BUFFER
    let seen = this.eventBuffer[idx]
    if (seen && seen.ltime === e.ltime) {
      if (seen.events.some((x) => x.name === e.name && equal(x.payload, e.payload))) return false
    } else {
      seen = {ltime: e.ltime, events: []}
      this.eventBuffer[idx] = seen
    }
    seen.events.push({name: e.name, payload: e.payload})
    this.o.onEvent({type: 'user', ltime: e.ltime, name: e.name, payload: e.payload, coalesce: e.cc})
    return true
  }

  private handleQuery(q: QueryMsg): boolean {
    this.queryClock.witness(q.ltime)
    const cur = this.queryClock.time()
    if (cur > QUERY_BUFFER && q.ltime < cur - QUERY_BUFFER) return false
    const idx = q.ltime % QUERY_BUFFER
    let seen = this.queryBuffer[idx]
    if (seen && seen.ltime === q.ltime) {
      if (seen.ids.includes(q.id)) return false
    } else {
      seen = {ltime: q.ltime, ids: []}
      this.queryBuffer[idx] = seen
    }
    seen.ids.push(q.id)
    const rebroadcast = (q.flags & QueryFlag.noBroadcast) === 0
    if (!this.shouldProcess(q.filters)) return rebroadcast
    const replyTo = (resp: Uint8Array) => {
      if (q.sourceNode === this.o.name || (q.addr.ip === this.o.advertise.ip && q.addr.port === this.o.advertise.port)) return this.notifyMsg(resp)
      this.memberlist.sendUserPacket(q.addr, resp)
      // Relay factor: the same answer also goes through that many other live members, so
      // it arrives even if the direct path drops it (Serf's relayResponse).
      if (q.relayFactor > 0) {
        const others = [...this.members.values()].filter((m) => m.status === MemberStatus.alive && m.name !== this.o.name && m.name !== q.sourceNode)
        for (let i = others.length - 1; i > 0; i--) {
          const j = this.env.random.int(i + 1)
          ;[others[i], others[j]] = [others[j], others[i]]
        }
        for (const m of others.slice(0, q.relayFactor)) this.memberlist.sendUserPacket(m.addr, encodeRelay(q.addr, q.sourceNode, resp))
      }
    }
    if (q.flags & QueryFlag.ack) replyTo(encodeQueryResponse({ltime: q.ltime, id: q.id, from: this.o.name, flags: QueryFlag.ack, payload: new Uint8Array(0)}))
    const deadline = this.env.clock.nowMs() + q.timeoutNs / 1e6
    let answered = false
    this.o.onEvent({type: 'query', query: {
      name: q.name,
      payload: q.payload,
      ltime: q.ltime,
      sourceNode: q.sourceNode,
      respond: (payload) => {
        if (answered || this.env.clock.nowMs() > deadline) return false
        const raw = encodeQueryResponse({ltime: q.ltime, id: q.id, from: this.o.name, flags: 0, payload})
        if (raw.length > QUERY_RESPONSE_SIZE_LIMIT) return false
        answered = true
        replyTo(raw)
        return true
      },
    }})
    return rebroadcast
  }

  private shouldProcess(filters: Uint8Array[]): boolean {
    for (const raw of filters) {
      const f = decodeFilter(raw)
      if ('nodes' in f) {
        if (!f.nodes.includes(this.o.name)) return false
      } else {
        let re: RegExp
        try {
          re = new RegExp(f.expr)
        } catch {
          return false
        }
        if (!re.test(this.tags[f.tag] ?? '')) return false
      }
    }
    return true
  }

  private handleQueryResponse(r: {ltime: number; id: number; from: string; flags: number; payload: Uint8Array}): void {
    const p = this.pending.get(`${r.ltime}/${r.id}`)
    if (!p || this.env.clock.nowMs() > p.deadlineMs) return
    if (r.flags & QueryFlag.ack) {
      p.result.acks.add(r.from)
      return
    }
    if (p.result.responses.has(r.from)) return
    p.result.responses.set(r.from, r.payload)
    if (p.onResponse?.(r.from, r.payload)) {
      p.timer.cancel()
      this.pending.delete(`${r.ltime}/${r.id}`)
      p.resolve(p.result)
    }
  }

  private localState(): Uint8Array {
    const statusLTimes: Record<string, number> = {}
    const leftMembers: string[] = []
    for (const m of this.members.values()) {
      statusLTimes[m.name] = m.statusLTime
      if (m.status === MemberStatus.left) leftMembers.push(m.name)
    }
    return encodePushPull({
      ltime: this.clock.time(),
      statusLTimes,
      leftMembers,
      eventLTime: this.eventClock.time(),
      events: this.eventBuffer.filter((e): e is NonNullable<typeof e> => e !== undefined),
      queryLTime: this.queryClock.time(),
    })
  }

  private mergeRemoteState(buf: Uint8Array, join: boolean): void {
    if (buf[0] !== SerfMsg.pushPull) throw new WireError('remote state is not a serf push/pull')
    const pp = decodePushPull(buf.subarray(1))
    if (pp.ltime > 0) this.clock.witness(pp.ltime - 1)
    if (pp.eventLTime > 0) this.eventClock.witness(pp.eventLTime - 1)
    if (pp.queryLTime > 0) this.queryClock.witness(pp.queryLTime - 1)
    const left = new Set(pp.leftMembers)
    for (const name of pp.leftMembers) this.handleLeaveIntent({ltime: (pp.statusLTimes[name] ?? 0) + 1, node: name, prune: false})
    for (const [name, ltime] of Object.entries(pp.statusLTimes)) {
      if (!left.has(name)) this.handleJoinIntent({ltime, node: name})
    }
    // A joiner does not replay old events (Consul joins with ignoreOld).
    if (join) this.eventMinTime = Math.max(this.eventMinTime, pp.eventLTime)
    for (const batch of pp.events) {
      for (const e of batch.events) this.handleUserEvent({ltime: batch.ltime, name: e.name, payload: e.payload, cc: false})
    }
  }

  private reap(): void {
    const now = this.env.clock.nowMs()
    const reconnectTimeout = this.o.reconnectTimeoutMs ?? 72 * 3600_000
    const tombstoneTimeout = this.o.tombstoneTimeoutMs ?? 24 * 3600_000
    for (const m of [...this.members.values()]) {
      const limit = m.status === MemberStatus.failed ? reconnectTimeout : m.status === MemberStatus.left ? tombstoneTimeout : undefined
      if (limit !== undefined && m.leaveMs > 0 && now - m.leaveMs > limit) {
        this.o.log.info(`reaping member ${m.name}`)
        this.prune(m)
      }
    }
  }

  /** Tries a random failed member now and then, so a healed partition merges by itself. */
  private reconnect(): void {
    const failed = [...this.members.values()].filter((m) => m.status === MemberStatus.failed)
    if (failed.length === 0) return
    const alive = [...this.members.values()].filter((m) => m.status === MemberStatus.alive).length
    if (this.env.random.float() > failed.length / Math.max(1, alive)) return
    const m = failed[this.env.random.int(failed.length)]
    this.o.log.debug(`attempting reconnect to ${m.name} ${m.addr.ip}:${m.addr.port}`)
    void this.memberlist.join([m.addr]).catch(() => {})
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
