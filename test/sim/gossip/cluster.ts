import type {IncomingQuery} from '../../../src/agent/gossip/serf/serf.js'
import {createSimWorld, type SimWorld} from '../../../src/agent/env/sim.js'
import {LAN_TIMING, type MemberlistTiming} from '../../../src/agent/gossip/memberlist/config.js'
import type {Addr} from '../../../src/agent/gossip/memberlist/messages.js'
import type {Crypto} from '../../../src/agent/gossip/memberlist/wire.js'
import {MemberStatus, Serf, type MemberStatusType, type SerfEvent} from '../../../src/agent/gossip/serf/serf.js'
import {GossipNet, LAN_NET, type GossipNetParams} from './network.js'

export interface GossipClusterOptions {
  /** Called for every query a member receives (a test answers through q.respond). */
  onQuery?: (member: string, q: IncomingQuery) => void
  seed: number
  timing?: MemberlistTiming
  net?: Partial<GossipNetParams>
  /** Collect log lines at this level and above (shown on failure). */
  logLevel?: 'debug' | 'info' | 'warn'
  /** Serf's reconnect timeout: how long a failed member is kept before it is reaped. */
  reconnectTimeoutMs?: number
  crypto?: (name: string) => (() => Crypto | undefined) | undefined
}

/** A member event as the cluster records it: who saw what about whom, when. */
export interface SeenEvent {
  atMs: number
  observer: string
  type: SerfEvent['type']
  member?: string
}

export interface SimMember {
  name: string
  addr: Addr
  serf: Serf
  /** Crashed (killed and not restarted). */
  crashed: boolean
  /** Left gracefully (and shut down). */
  gone: boolean
}

/**
 * N real Serf instances (Serf → Memberlist → the wire code) on one simulated world
 * and one simulated network. Status is read from each member's own Serf view, so a
 * check like "everyone sees x as failed" is exactly what /v1/agent/members would show.
 */
export class GossipCluster {
  readonly world: SimWorld
  readonly net: GossipNet
  readonly timing: MemberlistTiming
  readonly members = new Map<string, SimMember>()
  /** Member events, in order (user and query events are not recorded). */
  readonly events: SeenEvent[] = []
  /** Called for every member event (the benchmark timestamps first sightings with it). */
  onMemberEvent?: (e: SeenEvent) => void
  /** Joins started with joinAt that failed. */
  readonly joinErrors: string[] = []
  private readonly generation = new Map<string, number>()

  constructor(private readonly o: GossipClusterOptions) {
    this.world = createSimWorld(o.seed, {logs: o.logLevel ? 'collect' : 'silent', logLevel: o.logLevel ?? 'warn', logLimit: 300})
    this.net = new GossipNet(this.world, this.world.rng('gossip-net'), {...LAN_NET, ...o.net})
    this.timing = o.timing ?? LAN_TIMING
  }

  /** Creates and starts member `name` (again, after a kill: a restart with fresh state). */
  add(name: string): SimMember {
    const prev = this.members.get(name)
    if (prev && !prev.crashed && !prev.gone) throw new Error(`${name} is already running`)
    const gen = (this.generation.get(name) ?? 0) + 1
    this.generation.set(name, gen)
    const owner = gen === 1 ? name : `${name}#${gen}`
    const env = this.world.envFor(owner)
    const addr = prev?.addr ?? addressOf(this.members.size)
    let serf: Serf | undefined
    const transport = this.net.attach(name, addr, owner, {
      onPacket: (buf, from) => serf?.handlePacket(buf, from),
      onStream: (msg, from) => serf?.handleStream(msg, from),
    }, this.o.crypto?.(name))
    serf = new Serf({
      name,
      advertise: addr,
      tags: {role: 'node'},
      timing: this.timing,
      env,
      log: env.log.named('serf'),
      transport,
      reconnectTimeoutMs: this.o.reconnectTimeoutMs,
      onEvent: (e) => {
        if (e.type === 'query') return this.o.onQuery?.(name, e.query)
        if (e.type === 'user') return
        const seen: SeenEvent = {atMs: this.world.nowMs(), observer: name, type: e.type, member: e.member.name}
        this.events.push(seen)
        this.onMemberEvent?.(seen)
      },
    })
    const m: SimMember = {name, addr, serf, crashed: false, gone: false}
    this.members.set(name, m)
    serf.start()
    return m
  }

  /**
   * Joins `name` to the pool through `via` (memberlist push/pull, then Serf's join
   * intent), running the world until the join has an answer: the reply is a world
   * event, so awaiting the join without driving the world would wait forever.
   */
  async join(name: string, via: string): Promise<void> {
    let result: {joined: number; errors: string[]} | undefined
    void this.get(name).serf.join([this.get(via).addr]).then((r) => void (result = r))
    await this.runUntil(() => result !== undefined, this.timing.tcpTimeoutMs + 1_000, 1)
    if (!result) throw new Error(`${name}: join through ${via} got no answer`)
    if (result.joined === 0) throw new Error(`${name} could not join through ${via}: ${result.errors.join('; ')}`)
  }

  /**
   * Starts `name` after `delayMs` and, when `via` is given, joins it through `via`
   * right away. Members started at different moments run their probe and gossip
   * timers out of phase, as real agents do; starting them all at time 0 would make
   * every gossip round fire in lockstep.
   */
  startAt(name: string, delayMs: number, via?: string): void {
    this.world.schedule('cluster', delayMs, () => {
      this.add(name)
      if (via !== undefined) this.joinAt(name, via, 0)
    }, 'start')
  }

  /** Starts a join without waiting (many members joining at once, each on its own schedule). */
  joinAt(name: string, via: string, delayMs: number): void {
    this.world.schedule(this.ownerOf(name), delayMs, () => {
      void this.get(name).serf.join([this.get(via).addr]).then((r) => {
        if (r.joined === 0) this.joinErrors.push(`${name} could not join through ${via}: ${r.errors.join('; ')}`)
      })
    }, 'join')
  }

  /** A crash: no more packets in or out, and none of its timers run again. */
  kill(name: string): void {
    const m = this.get(name)
    m.crashed = true
    this.net.kill(name)
    this.world.pause(this.ownerOf(name))
  }

  /** A stalled process (a long GC pause, a stopped VM): its events wait until resume. */
  pause(name: string): void {
    this.world.pause(this.ownerOf(name))
  }

  resume(name: string): void {
    this.world.resume(this.ownerOf(name))
  }

  /** Graceful leave (leave intent + memberlist leave), then shutdown, as `consul leave` does. */
  async leave(name: string): Promise<void> {
    const m = this.get(name)
    let done = false
    void m.serf.leave().then(() => void (done = true))
    // Serf waits for its broadcasts to go out, which takes world events: drive them.
    await this.runUntil(() => done, 60_000, 1)
    if (!done) throw new Error(`${name}: leave did not finish`)
    m.serf.shutdown()
    m.gone = true
    this.net.kill(name)
  }

  get(name: string): SimMember {
    const m = this.members.get(name)
    if (!m) throw new Error(`unknown member ${name}`)
    return m
  }

  /** Members still running. */
  live(): SimMember[] {
    return [...this.members.values()].filter((m) => !m.crashed && !m.gone)
  }

  /** `target`'s status in `observer`'s view (undefined: unknown to it). */
  status(observer: string, target: string): MemberStatusType | undefined {
    return this.get(observer).serf.allMembers().find((m) => m.name === target)?.status
  }

  /** True when every live member (or those given) sees each of `targets` with `status`. */
  allSee(targets: string[], status: MemberStatusType, observers: SimMember[] = this.live()): boolean {
    for (const o of observers) {
      const view = new Map(o.serf.allMembers().map((m) => [m.name, m.status]))
      for (const t of targets) if (t !== o.name && view.get(t) !== status) return false
    }
    return true
  }

  /** Failed events about members that were running and reachable: false positives. */
  falseFailures(since = 0): SeenEvent[] {
    return this.events.filter((e) => e.type === 'member-failed' && e.atMs >= since && e.member !== undefined && !this.get(e.member).crashed)
  }

  /**
   * Runs until `pred` holds; false when virtual time passes `withinMs` from now first.
   * `pred` is evaluated at most once per `stepMs` of virtual time: a whole-cluster
   * view check costs O(N²), and evaluating it before every one of millions of events
   * would dominate the run. Times measured this way are accurate to `stepMs`.
   */
  runUntil(pred: () => boolean, withinMs: number, stepMs = 10): Promise<boolean> {
    let next = this.world.nowMs()
    let last = false
    const gated = () => {
      if (this.world.nowMs() < next) return false
      next = this.world.nowMs() + stepMs
      last = pred()
      return last
    }
    return this.world.runUntil(gated, {deadlineMs: this.world.nowMs() + withinMs}).then((ok) => ok || last || pred())
  }

  /** Runs for `ms` of virtual time. */
  async runFor(ms: number): Promise<void> {
    await this.world.runUntil(this.world.nowMs() + ms)
  }

  /** A one-line summary of who sees whom how, for failure messages. */
  describeViews(targets: string[]): string {
    const names = ['none', 'alive', 'leaving', 'left', 'failed']
    const off: string[] = []
    for (const o of this.live()) {
      for (const t of targets) {
        if (t === o.name) continue
        const s = this.status(o.name, t)
        off.push(`${o.name}:${t}=${s === undefined ? 'unknown' : names[s]}`)
      }
    }
    return off.slice(0, 20).join(' ') + (off.length > 20 ? ` … (${off.length})` : '')
  }

  private ownerOf(name: string): string {
    const gen = this.generation.get(name) ?? 1
    return gen === 1 ? name : `${name}#${gen}`
  }
}

/** 10.x.y.z:8301, one address per member index. */
export function addressOf(i: number): Addr {
  const n = i + 1
  return {ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, port: 8301}
}

export const Status = MemberStatus
