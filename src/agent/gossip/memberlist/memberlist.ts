import type {Env, Logger, TimerHandle} from '../../env/types.js'
import {ShortRead, WireError} from '../codec.js'
import {BroadcastQueue} from './broadcast-queue.js'
import {pushPullScaleMs, retransmitLimit, suspicionTimeoutMs, type MemberlistTiming} from './config.js'
import {
  MsgType, NodeState, PROTOCOL,
  decodeAck, decodeAlive, decodeCompound, decodeIndirectPing, decodeNack, decodePing, decodeSuspect,
  encodeAck, encodeAlive, encodeCompound, encodeDead, encodeIndirectPing, encodeNack, encodePing, encodeSuspect,
  type Addr, type Alive, type Dead, type NodeStateType, type PushNodeState, type Suspect,
} from './messages.js'
import {Suspicion} from './suspicion.js'
import {decompressMessage, encodeErr, encodePushPull, type StreamMsg} from './wire.js'

/** A member as memberlist knows it. */
export interface MemberNode {
  name: string
  addr: Addr
  meta: Uint8Array
  incarnation: number
  state: NodeStateType
  /** Monotonic ms of the last state change. */
  stateChangeMs: number
  /** [pMin, pMax, pCur, dMin, dMax, dCur] */
  vsn: number[]
}

/** What memberlist asks of the layer above (Serf): memberlist's Delegate, EventDelegate, MergeDelegate, PingDelegate. */
export interface MemberlistDelegate {
  nodeMeta(limit: number): Uint8Array
  notifyMsg(buf: Uint8Array): void
  getBroadcasts(overhead: number, limit: number): Uint8Array[]
  localState(join: boolean): Uint8Array
  mergeRemoteState(buf: Uint8Array, join: boolean): void
  notifyJoin(n: MemberNode): void
  notifyLeave(n: MemberNode): void
  notifyUpdate(n: MemberNode): void
  /** A reason to refuse a join with these members (Consul: another datacenter, a name conflict), or undefined. */
  notifyMerge(nodes: MemberNode[]): string | undefined
  /** A reason to ignore this alive message, or undefined. */
  notifyAlive(n: MemberNode): string | undefined
  /** Two different addresses claim one name. */
  notifyConflict(existing: MemberNode, other: MemberNode): void
  ackPayload(): Uint8Array
  notifyPingComplete(n: MemberNode, rttMs: number, payload: Uint8Array): void
}

/** How memberlist reaches the network; the driver seals/opens packets (CRC, encryption). */
export interface MemberlistTransport {
  sendPacket(to: Addr, msg: Uint8Array, crc: boolean): void
  /** Dials `to`, writes `msg`, and when `expectReply` reads one stream message back. */
  stream(to: Addr, msg: Uint8Array, expectReply: boolean, timeoutMs: number): Promise<StreamMsg | undefined>
  /** Bytes that encryption adds to a packet (0 when off). */
  packetOverhead(): number
}

export interface MemberlistOptions {
  name: string
  advertise: Addr
  timing: MemberlistTiming
  env: Env
  log: Logger
  transport: MemberlistTransport
  delegate: MemberlistDelegate
  /** Starting incarnation (a restarted node may pick up where it left off). */
  incarnation?: number
}

/** Counters shown by `dc info` (serf_lan / serf_wan). */
export interface MemberlistStats {
  packetsDropped: number
  streamsDropped: number
  probes: number
  probeFailures: number
}

interface AckHandler {
  onAck(payload: Uint8Array, atMs: number): void
  onNack(): void
  timer: TimerHandle
}

const COMPOUND_HEADER_OVERHEAD = 2
const COMPOUND_OVERHEAD = 2
const MAX_PUSH_PULL = 128
const META_MAX = 512

/**
 * SWIM with Lifeguard, as hashicorp/memberlist runs it and on its wire: random
 * round-robin probes, indirect probes through k peers plus a TCP fallback, suspicion
 * that shrinks with independent confirmations, refutation by incarnation, gossip of
 * piggybacked broadcasts, periodic push/pull state sync. Time, timers and randomness
 * come from the injected Env and the network from the injected transport, so the
 * simulator drives this exact code.
 */
export class Memberlist {
  readonly stats: MemberlistStats = {packetsDropped: 0, streamsDropped: 0, probes: 0, probeFailures: 0}
  private readonly nodes: MemberNode[] = []
  private readonly byName = new Map<string, MemberNode>()
  /** ip:port → member, so each outgoing packet finds its peer's protocol version without a scan. */
  private readonly byAddr = new Map<string, MemberNode>()
  private readonly suspicions = new Map<string, Suspicion>()
  private readonly acks = new Map<number, AckHandler>()
  private readonly broadcasts: BroadcastQueue
  private readonly timers: TimerHandle[] = []
  private seqNo = 0
  private incarnation: number
  private probeIndex = 0
  private awareness = 0
  private pushPullInFlight = 0
  private left = false
  private stopped = false
  private readonly env: Env
  private readonly t: MemberlistTiming

  constructor(private readonly o: MemberlistOptions) {
    this.env = o.env
    this.t = o.timing
    this.incarnation = o.incarnation ?? 0
    this.broadcasts = new BroadcastQueue(() => retransmitLimit(this.t.retransmitMult, this.nodes.length))
  }

  get name(): string {
    return this.o.name
  }

  /** Announces ourselves (alive, bootstrap) and starts the probe, gossip and push/pull loops. */
  start(): void {
    this.setAlive()
    this.scheduleProbe(this.t.probeIntervalMs)
    this.timers.push(this.env.timers.every(this.t.gossipIntervalMs, () => this.gossip()))
    this.schedulePushPull()
  }

  stop(): void {
    this.stopped = true
    for (const t of this.timers) t.cancel()
    this.timers.length = 0
    for (const s of this.suspicions.values()) s.cancel()
    this.suspicions.clear()
    for (const a of this.acks.values()) a.timer.cancel()
    this.acks.clear()
  }

  members(): MemberNode[] {
    return [...this.nodes]
  }

  member(name: string): MemberNode | undefined {
    return this.byName.get(name)
  }

  /** Live members other than us: alive or suspect. */
  numAlive(): number {
    let n = 0
    for (const m of this.nodes) if (m.name !== this.o.name && (m.state === NodeState.alive || m.state === NodeState.suspect)) n++
    return n
  }

  healthScore(): number {
    return this.awareness
  }

  /** Pushes our state to each address and merges theirs (memberlist Join). */
  async join(addrs: Addr[]): Promise<{joined: number; errors: string[]}> {
    let joined = 0
    const errors: string[] = []
    for (const a of addrs) {
      try {
        await this.pushPull(a, true)
        joined++
      } catch (e) {
        errors.push(`${a.ip}:${a.port}: ${(e as Error).message}`)
      }
    }
    return {joined, errors}
  }

  /** Re-advertises our meta (tags changed): a new incarnation. */
  updateMeta(): void {
    const me = this.byName.get(this.o.name)
    if (!me) return
    this.aliveNode({incarnation: ++this.incarnation, node: this.o.name, addr: this.o.advertise, meta: this.o.delegate.nodeMeta(META_MAX), vsn: this.vsn()}, true)
  }

  /**
   * Broadcasts that we are leaving (a dead message about ourselves, which peers read
   * as "left") and resolves once it has been sent to peers or after `timeoutMs`.
   */
  leave(timeoutMs: number): Promise<void> {
    this.left = true
    const me = this.byName.get(this.o.name)
    if (!me || this.numAlive() === 0) {
      if (me) this.deadNode({incarnation: me.incarnation, node: me.name, from: me.name})
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const timer = this.env.timers.after(timeoutMs, resolve)
      this.deadNode({incarnation: me.incarnation, node: me.name, from: me.name}, () => {
        timer.cancel()
        resolve()
      })
    })
  }

  /** Queues a broadcast from the layer above is done by its own queue; this sends a user message directly. */
  sendUserPacket(to: Addr, payload: Uint8Array): void {
    const msg = new Uint8Array(payload.length + 1)
    msg[0] = MsgType.user
    msg.set(payload, 1)
    this.sendMsg(to, msg)
  }

  // ── incoming ────────────────────────────────────────────────────────────────

  /** A plain packet (already opened by the driver). Malformed input is counted and dropped. */
  handlePacket(buf: Uint8Array, from: Addr): void {
    try {
      this.handleCommand(buf, from, 0)
    } catch (e) {
      if (!(e instanceof WireError || e instanceof ShortRead || e instanceof RangeError)) throw e
      this.stats.packetsDropped++
      this.o.log.debug('dropped a gossip packet', {from: `${from.ip}:${from.port}`, error: (e as Error).message})
    }
  }

  private handleCommand(buf: Uint8Array, from: Addr, depth: number): void {
    if (buf.length === 0) throw new WireError('empty message')
    if (depth > 2) throw new WireError('messages nested too deep')
    const body = buf.subarray(1)
    switch (buf[0]) {
      case MsgType.compound: {
        const {parts, truncated} = decodeCompound(body)
        if (truncated) this.stats.packetsDropped++
        for (const p of parts) {
          try {
            this.handleCommand(p, from, depth + 1)
          } catch (e) {
            if (!(e instanceof WireError || e instanceof ShortRead || e instanceof RangeError)) throw e
            this.stats.packetsDropped++
          }
        }
        return
      }
      case MsgType.compress:
        return this.handleCommand(decompressMessage(body), from, depth + 1)
      case MsgType.ping:
        return this.handlePing(body, from)
      case MsgType.indirectPing:
        return this.handleIndirectPing(body, from)
      case MsgType.ackResp: {
        const ack = decodeAck(body)
        const h = this.acks.get(ack.seqNo)
        if (h) {
          this.acks.delete(ack.seqNo)
          h.timer.cancel()
          h.onAck(ack.payload, this.env.clock.nowMs())
        }
        return
      }
      case MsgType.nackResp: {
        this.acks.get(decodeNack(body))?.onNack()
        return
      }
      case MsgType.suspect:
        return this.suspectNode(decodeSuspect(body))
      case MsgType.alive: {
        const a = decodeAlive(body)
        if (a.addr.port === 0) a.addr.port = this.o.advertise.port
        return this.aliveNode(a, false)
      }
      case MsgType.dead:
        return this.deadNode(decodeSuspect(body))
      case MsgType.user:
        return this.o.delegate.notifyMsg(body.slice())
      default:
        throw new WireError(`unknown message type ${buf[0]}`)
    }
  }

  /** One message read from an incoming stream; returns the reply to write, if any. */
  handleStream(msg: StreamMsg, from: Addr): Uint8Array | undefined {
    switch (msg.type) {
      case 'ping': {
        if (msg.ping.node && msg.ping.node !== this.o.name) return undefined
        return encodeAck({seqNo: msg.ping.seqNo, payload: new Uint8Array(0)})
      }
      case 'user':
        this.o.delegate.notifyMsg(msg.payload)
        return undefined
      case 'pushPull': {
        if (this.pushPullInFlight >= MAX_PUSH_PULL) return encodeErr('too many pending push/pull requests')
        const reply = this.localStateMessage(msg.join)
        // Reply first, as memberlist does: the joiner learns of us even if we then refuse its members.
        this.env.timers.defer(() => {
          try {
            this.mergeRemoteState(msg.join, msg.nodes, msg.userState)
          } catch (e) {
            this.o.log.warn('refused a push/pull merge', {from: `${from.ip}:${from.port}`, error: (e as Error).message})
          }
        })
        return reply
      }
      default:
        this.stats.streamsDropped++
        return undefined
    }
  }

  private handlePing(body: Uint8Array, from: Addr): void {
    const p = decodePing(body)
    if (p.node && p.node !== this.o.name) return
    const to = p.source ?? from
    this.sendMsg(to, encodeAck({seqNo: p.seqNo, payload: this.o.delegate.ackPayload()}))
  }

  private handleIndirectPing(body: Uint8Array, from: Addr): void {
    const ind = decodeIndirectPing(body)
    if (ind.target.port === 0) ind.target.port = this.o.advertise.port
    const replyTo = ind.source ?? from
    const seq = this.nextSeq()
    let answered = false
    this.setAckHandler(seq, this.t.probeTimeoutMs, {
      onAck: () => {
        answered = true
        this.sendMsg(replyTo, encodeAck({seqNo: ind.seqNo, payload: new Uint8Array(0)}))
      },
      onNack: () => {},
    })
    this.sendMsg(ind.target, encodePing({seqNo: seq, node: ind.node, source: this.o.advertise, sourceNode: this.o.name}))
    if (ind.nack) {
      this.env.timers.after(this.t.probeTimeoutMs, () => {
        if (!answered && !this.stopped) this.sendMsg(replyTo, encodeNack(ind.seqNo))
      })
    }
  }

  // ── state transitions (memberlist state.go) ─────────────────────────────────

  private setAlive(): void {
    this.aliveNode({incarnation: ++this.incarnation, node: this.o.name, addr: this.o.advertise, meta: this.o.delegate.nodeMeta(META_MAX), vsn: this.vsn()}, true)
  }

  private vsn(): number[] {
    return [PROTOCOL.min, PROTOCOL.max, PROTOCOL.cur, PROTOCOL.delegateMin, PROTOCOL.delegateMax, PROTOCOL.delegateCur]
  }

  private aliveNode(a: Alive, bootstrap: boolean, done?: () => void): void {
    const isSelf = a.node === this.o.name
    if (this.left && isSelf) return
    if (a.vsn.length >= 6 && (a.vsn[1] === 0 || a.vsn[0] > a.vsn[1])) return
    const view: MemberNode = {name: a.node, addr: a.addr, meta: a.meta, incarnation: a.incarnation, state: NodeState.alive, stateChangeMs: 0, vsn: a.vsn}
    if (!isSelf) {
      const why = this.o.delegate.notifyAlive(view)
      if (why) {
        this.o.log.warn(`ignoring an alive message for '${a.node}': ${why}`)
        return
      }
    }
    let state = this.byName.get(a.node)
    let updatesNode = false
    if (!state) {
      state = {name: a.node, addr: a.addr, meta: a.meta, incarnation: 0, state: NodeState.dead, stateChangeMs: this.env.clock.nowMs(), vsn: a.vsn}
      this.byName.set(a.node, state)
      this.byAddr.set(addrKey(a.addr), state)
      // A random position keeps the worst-case detection bound low. Append and swap,
      // as memberlist does: inserting shifted the list, O(n) per member learned, and
      // a joiner learns every member at once from push/pull.
      const n = this.nodes.length
      const offset = n === 0 ? 0 : this.env.random.int(n)
      this.nodes.push(state)
      ;[this.nodes[offset], this.nodes[n]] = [this.nodes[n], this.nodes[offset]]
    } else if (state.addr.ip !== a.addr.ip || state.addr.port !== a.addr.port) {
      const canReclaim = this.t.deadNodeReclaimMs > 0 && this.env.clock.nowMs() - state.stateChangeMs > this.t.deadNodeReclaimMs
      if (state.state === NodeState.left || (state.state === NodeState.dead && canReclaim)) {
        updatesNode = true
      } else {
        this.o.delegate.notifyConflict(state, view)
        return
      }
    }
    if (a.incarnation <= state.incarnation && !isSelf && !updatesNode) return
    if (a.incarnation < state.incarnation && isSelf) return
    this.suspicions.get(a.node)?.cancel()
    this.suspicions.delete(a.node)
    const oldState = state.state
    const oldMeta = state.meta
    if (!bootstrap && isSelf) {
      const same = a.incarnation === state.incarnation && equal(a.meta, state.meta) && equal(Uint8Array.from(a.vsn), Uint8Array.from(this.vsn()))
      if (same) return
      this.refute(state, a.incarnation)
    } else {
      this.broadcasts.queue({key: a.node, msg: encodeAlive(a), done})
      if (a.vsn.length >= 6) state.vsn = a.vsn
      state.incarnation = a.incarnation
      state.meta = a.meta
      if (state.addr !== a.addr) {
        if (this.byAddr.get(addrKey(state.addr)) === state) this.byAddr.delete(addrKey(state.addr))
        this.byAddr.set(addrKey(a.addr), state)
      }
      state.addr = a.addr
      if (state.state !== NodeState.alive) {
        state.state = NodeState.alive
        state.stateChangeMs = this.env.clock.nowMs()
      }
    }
    if (oldState === NodeState.dead || oldState === NodeState.left) this.o.delegate.notifyJoin(state)
    else if (!equal(oldMeta, state.meta)) this.o.delegate.notifyUpdate(state)
  }

  private suspectNode(s: Suspect): void {
    const state = this.byName.get(s.node)
    if (!state || s.incarnation < state.incarnation) return
    const existing = this.suspicions.get(s.node)
    if (existing) {
      if (existing.confirm(s.from)) this.broadcasts.queue({key: s.node, msg: encodeSuspect(s)})
      return
    }
    if (state.state !== NodeState.alive) return
    if (state.name === this.o.name) {
      this.refute(state, s.incarnation)
      return
    }
    this.broadcasts.queue({key: s.node, msg: encodeSuspect(s)})
    state.incarnation = s.incarnation
    state.state = NodeState.suspect
    const changed = this.env.clock.nowMs()
    state.stateChangeMs = changed
    const n = this.nodes.length
    let k = this.t.suspicionMult - 2
    if (n - 2 < k) k = 0
    const min = suspicionTimeoutMs(this.t.suspicionMult, n, this.t.probeIntervalMs)
    const max = this.t.suspicionMaxTimeoutMult * min
    this.suspicions.set(s.node, new Suspicion(s.from, k, min, max, changed, this.env.timers, () => this.env.clock.nowMs(), () => {
      if (state.state === NodeState.suspect && state.stateChangeMs === changed) {
        this.o.log.info(`marking ${state.name} as failed, suspect timeout reached`)
        this.deadNode({incarnation: state.incarnation, node: state.name, from: this.o.name})
      }
    }))
  }

  private deadNode(d: Dead, done?: () => void): void {
    const state = this.byName.get(d.node)
    if (!state || d.incarnation < state.incarnation) return
    this.suspicions.get(d.node)?.cancel()
    this.suspicions.delete(d.node)
    if (state.state === NodeState.dead || state.state === NodeState.left) return
    if (state.name === this.o.name && !this.left) {
      this.refute(state, d.incarnation)
      return
    }
    this.broadcasts.queue({key: d.node, msg: encodeDead(d), done})
    state.incarnation = d.incarnation
    state.state = d.node === d.from ? NodeState.left : NodeState.dead
    state.stateChangeMs = this.env.clock.nowMs()
    this.o.delegate.notifyLeave(state)
  }

  /** Someone says we are suspect or dead: outbid them with a higher incarnation. */
  private refute(me: MemberNode, accused: number): void {
    this.incarnation = Math.max(this.incarnation + 1, accused + 1)
    me.incarnation = this.incarnation
    this.applyAwareness(1)
    const a: Alive = {incarnation: this.incarnation, node: me.name, addr: this.o.advertise, meta: me.meta, vsn: this.vsn()}
    this.broadcasts.queue({key: me.name, msg: encodeAlive(a)})
  }

  private applyAwareness(delta: number): void {
    this.awareness = Math.min(this.t.awarenessMaxMultiplier - 1, Math.max(0, this.awareness + delta))
  }

  private scaled(ms: number): number {
    return ms * (this.awareness + 1)
  }

  // ── probing ────────────────────────────────────────────────────────────────

  private scheduleProbe(ms: number): void {
    if (this.stopped) return
    const h = this.env.timers.after(ms, () => {
      const i = this.timers.indexOf(h)
      if (i >= 0) this.timers.splice(i, 1)
      const interval = this.scaled(this.t.probeIntervalMs)
      this.probe(interval)
      this.scheduleProbe(interval)
    })
    this.timers.push(h)
  }

  /** Picks the next node round-robin (skipping us and the dead) and probes it. */
  private probe(intervalMs: number): void {
    let checked = 0
    for (;;) {
      if (checked >= this.nodes.length) return
      if (this.probeIndex >= this.nodes.length) {
        this.resetNodes()
        this.probeIndex = 0
        checked++
        continue
      }
      const node = this.nodes[this.probeIndex++]
      checked++
      if (node.name === this.o.name || node.state === NodeState.dead || node.state === NodeState.left) continue
      this.probeNode(node, intervalMs)
      return
    }
  }

  /** End of a round: forget nodes dead for longer than gossip-to-the-dead, then shuffle. */
  private resetNodes(): void {
    const now = this.env.clock.nowMs()
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i]
      if ((n.state === NodeState.dead || n.state === NodeState.left) && now - n.stateChangeMs > this.t.gossipToTheDeadMs) {
        this.nodes.splice(i, 1)
        this.byName.delete(n.name)
        if (this.byAddr.get(addrKey(n.addr)) === n) this.byAddr.delete(addrKey(n.addr))
      }
    }
    for (let i = this.nodes.length - 1; i > 0; i--) {
      const j = this.env.random.int(i + 1)
      ;[this.nodes[i], this.nodes[j]] = [this.nodes[j], this.nodes[i]]
    }
  }

  private probeNode(node: MemberNode, intervalMs: number): void {
    this.stats.probes++
    const seq = this.nextSeq()
    const sent = this.env.clock.nowMs()
    const deadline = sent + intervalMs
    const ping = encodePing({seqNo: seq, node: node.name, source: this.o.advertise, sourceNode: this.o.name})
    let acked = false
    let nacks = 0
    const finishOk = (payload: Uint8Array, atMs: number, direct: boolean) => {
      if (acked) return
      acked = true
      this.applyAwareness(-1)
      if (direct) this.o.delegate.notifyPingComplete(node, atMs - sent, payload)
    }
    this.setAckHandler(seq, intervalMs, {
      onAck: (payload, at) => finishOk(payload, at, at - sent <= this.t.probeTimeoutMs),
      onNack: () => { nacks++ },
    })
    if (node.state === NodeState.alive) this.sendMsg(node.addr, ping)
    else this.sendPacket(node.addr, encodeCompound([ping, encodeSuspect({incarnation: node.incarnation, node: node.name, from: this.o.name})]))

    this.env.timers.after(this.t.probeTimeoutMs, () => {
      if (acked || this.stopped) return
      // Indirect probes through k random live peers, and a TCP ping as fallback.
      const peers = this.randomNodes(this.t.indirectChecks, (n) => n.name !== this.o.name && n.name !== node.name && n.state === NodeState.alive)
      let expectedNacks = 0
      for (const p of peers) {
        const wantsNack = (p.vsn[1] ?? 0) >= 4
        if (wantsNack) expectedNacks++
        this.sendMsg(p.addr, encodeIndirectPing({seqNo: seq, target: node.addr, node: node.name, nack: wantsNack, source: this.o.advertise, sourceNode: this.o.name}))
      }
      let fallback: Promise<boolean> = Promise.resolve(false)
      if ((node.vsn[1] ?? 0) >= 3) {
        const remaining = Math.max(1, deadline - this.env.clock.nowMs())
        fallback = this.o.transport.stream(node.addr, ping, true, remaining).then(
          (r) => r?.type === 'ack' && r.ack.seqNo === seq,
          () => false,
        )
      }
      this.env.timers.after(Math.max(0, deadline - this.env.clock.nowMs()), () => {
        if (acked || this.stopped) return
        void fallback.then((ok) => {
          if (acked || this.stopped) return
          if (ok) {
            this.o.log.warn(`was able to connect to ${node.name} over TCP but UDP probes failed, network may be misconfigured`)
            // Any answer is a successful probe for Lifeguard, as in memberlist.
            finishOk(new Uint8Array(0), this.env.clock.nowMs(), false)
            return
          }
          this.stats.probeFailures++
          this.applyAwareness(expectedNacks > 0 ? Math.max(0, expectedNacks - nacks) : 1)
          this.o.log.debug(`suspect ${node.name} has failed, no acks received`)
          this.suspectNode({incarnation: node.incarnation, node: node.name, from: this.o.name})
        })
      })
    })
  }

  private setAckHandler(seq: number, timeoutMs: number, h: Omit<AckHandler, 'timer'>): void {
    const timer = this.env.timers.after(timeoutMs, () => this.acks.delete(seq))
    this.acks.set(seq, {...h, timer})
  }

  private nextSeq(): number {
    this.seqNo = (this.seqNo + 1) >>> 0
    return this.seqNo
  }

  private randomNodes(k: number, keep: (n: MemberNode) => boolean): MemberNode[] {
    const out: MemberNode[] = []
    const n = this.nodes.length
    // Bounded random picks (memberlist kRandomNodes): 3n tries.
    for (let i = 0; i < 3 * n && out.length < k; i++) {
      const c = this.nodes[this.env.random.int(n)]
      if (keep(c) && !out.includes(c)) out.push(c)
    }
    return out
  }

  // ── gossip and push/pull ────────────────────────────────────────────────────

  private gossip(): void {
    const now = this.env.clock.nowMs()
    const targets = this.randomNodes(this.t.gossipNodes, (n) => {
      if (n.name === this.o.name) return false
      if (n.state === NodeState.alive || n.state === NodeState.suspect) return true
      return now - n.stateChangeMs <= this.t.gossipToTheDeadMs
    })
    const limit = this.t.udpBufferSize - COMPOUND_HEADER_OVERHEAD - this.o.transport.packetOverhead()
    for (const t of targets) {
      const msgs = this.getBroadcasts(COMPOUND_OVERHEAD, limit)
      if (msgs.length === 0) return
      this.sendPacket(t.addr, msgs.length === 1 ? msgs[0] : encodeCompound(msgs))
    }
  }

  private getBroadcasts(overhead: number, limit: number): Uint8Array[] {
    const mine = this.broadcasts.get(overhead, limit)
    const used = mine.reduce((s, m) => s + overhead + m.length, 0)
    const avail = limit - used
    if (avail <= overhead + 1) return mine
    // The layer above's messages travel as memberlist user messages: one framing byte each.
    const theirs = this.o.delegate.getBroadcasts(overhead + 1, avail).map((m) => {
      const framed = new Uint8Array(m.length + 1)
      framed[0] = MsgType.user
      framed.set(m, 1)
      return framed
    })
    return [...mine, ...theirs]
  }

  /** A message plus whatever broadcasts fit beside it in one packet. */
  private sendMsg(to: Addr, msg: Uint8Array): void {
    const avail = this.t.udpBufferSize - msg.length - COMPOUND_HEADER_OVERHEAD - this.o.transport.packetOverhead()
    const extra = avail > 0 ? this.getBroadcasts(COMPOUND_OVERHEAD, avail) : []
    this.sendPacket(to, extra.length === 0 ? msg : encodeCompound([msg, ...extra]))
  }

  private sendPacket(to: Addr, msg: Uint8Array): void {
    if (this.stopped) return
    const known = this.byAddr.get(addrKey(to))
    this.o.transport.sendPacket(to, msg, (known?.vsn[1] ?? 0) >= 5)
  }

  private schedulePushPull(): void {
    if (this.stopped) return
    const interval = pushPullScaleMs(this.t.pushPullIntervalMs, this.nodes.length)
    // Random stagger so a pool started together does not sync in lockstep.
    const h = this.env.timers.after(interval / 2 + this.env.random.int(Math.max(1, Math.floor(interval / 2))), () => {
      const i = this.timers.indexOf(h)
      if (i >= 0) this.timers.splice(i, 1)
      const [peer] = this.randomNodes(1, (n) => n.name !== this.o.name && n.state === NodeState.alive)
      if (peer) {
        this.pushPull(peer.addr, false).catch((e) => this.o.log.debug(`push/pull with ${peer.name} failed`, {error: String(e)}))
      }
      this.schedulePushPull()
    })
    this.timers.push(h)
  }

  private localStateMessage(join: boolean): Uint8Array {
    const states: PushNodeState[] = this.nodes.map((n) => ({node: n.name, addr: n.addr, meta: n.meta, incarnation: n.incarnation, state: n.state, vsn: n.vsn}))
    return encodePushPull(join, states, this.o.delegate.localState(join))
  }

  private async pushPull(to: Addr, join: boolean): Promise<void> {
    this.pushPullInFlight++
    try {
      const reply = await this.o.transport.stream(to, this.localStateMessage(join), true, this.t.tcpTimeoutMs)
      if (!reply) throw new Error('no reply')
      if (reply.type === 'err') throw new Error(`remote error: ${reply.error}`)
      if (reply.type !== 'pushPull') throw new Error(`unexpected reply to push/pull: ${reply.type}`)
      this.mergeRemoteState(join, reply.nodes, reply.userState)
    } finally {
      this.pushPullInFlight--
    }
  }

  private mergeRemoteState(join: boolean, remote: PushNodeState[], userState: Uint8Array): void {
    if (join) {
      const nodes: MemberNode[] = remote.map((r) => ({name: r.node, addr: r.addr, meta: r.meta, incarnation: r.incarnation, state: r.state, stateChangeMs: 0, vsn: r.vsn}))
      const why = this.o.delegate.notifyMerge(nodes)
      if (why) throw new Error(why)
    }
    for (const r of remote) {
      if (r.addr.port === 0) r.addr.port = this.o.advertise.port
      switch (r.state) {
        case NodeState.alive:
          this.aliveNode(r, false)
          break
        case NodeState.left:
          this.deadNode({incarnation: r.incarnation, node: r.node, from: r.node})
          break
        default:
          // Dead or suspect elsewhere: only suspect it here, so it gets its chance to refute.
          this.suspectNode({incarnation: r.incarnation, node: r.node, from: this.o.name})
      }
    }
    if (userState.length) this.o.delegate.mergeRemoteState(userState, join)
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function addrKey(a: Addr): string {
  return `${a.ip}:${a.port}`
}
