import type {SimWorld} from '../../../src/agent/env/sim.js'
import type {Random} from '../../../src/agent/env/types.js'
import {WireError} from '../../../src/agent/gossip/codec.js'
import type {MemberlistTransport} from '../../../src/agent/gossip/memberlist/memberlist.js'
import {decodeCompound, MsgType, type Addr} from '../../../src/agent/gossip/memberlist/messages.js'
import {openPacket, readStream, sealPacket, sealStream, type Crypto, type StreamMsg} from '../../../src/agent/gossip/memberlist/wire.js'

/** Fault knobs of the simulated gossip network. */
export interface GossipNetParams {
  /** One-way UDP delay, uniform in [min, max] ms. */
  delayMinMs: number
  delayMaxMs: number
  /**
   * Probability a packet is lost. UDP packets just vanish; a TCP segment is
   * retransmitted after TCP's initial 1 s timeout (doubling each time), so on a
   * stream the same loss shows up as delay.
   */
  lossP: number
}

export const LAN_NET: GossipNetParams = {delayMinMs: 1, delayMaxMs: 5, lossP: 0}

/** What a node hands the network: memberlist's entry points (Serf.handlePacket / handleStream). */
export interface GossipEndpoint {
  onPacket(buf: Uint8Array, from: Addr): void
  onStream(msg: StreamMsg, from: Addr): Uint8Array | undefined
}

export type Kind = 'packet' | 'stream'

/** One delivery, as the tap sees it: message types are memberlist's names, with compound parts flattened. */
export interface Delivery {
  atMs: number
  from: string
  to: string
  kind: Kind
  types: string[]
  bytes: number
  /** The opened packet (type byte first); undefined for streams. */
  plain?: Uint8Array
}

export interface NodeTraffic {
  packetsOut: number
  bytesOut: number
  packetsIn: number
  streamsOut: number
}

interface Node {
  name: string
  addr: Addr
  /** World event owner: a restart gets a fresh owner so the crashed incarnation's held events never run. */
  owner: string
  endpoint: GossipEndpoint
  crypto?: () => Crypto | undefined
  dead: boolean
  traffic: NodeTraffic
}

/**
 * An in-memory MemberlistTransport on the simulated world. Packets and streams go
 * through the real wire code (sealPacket/openPacket, sealStream/readStream) and into
 * the real Memberlist.handlePacket/handleStream, so what is tested is what runs on a
 * socket. Every delivery is a world event owned by the receiver (a paused node's
 * inbox waits), and every random choice comes from one seeded stream.
 *
 * Faults: random loss (UDP drops, TCP delays), partitions (groups that cannot reach each other), a
 * scriptable per-link filter, and crashed nodes (they neither send nor receive; a
 * stream to them fails at its timeout, as a dial to a silent host does).
 */
export class GossipNet {
  private readonly nodes = new Map<string, Node>()
  private readonly byAddr = new Map<string, Node>()
  private readonly group = new Map<string, number>()
  /** Returns true to drop a delivery (interaction scripts block single links with it). */
  filter?: (from: string, to: string, kind: Kind) => boolean
  /** Sees every delivery that reaches a live receiver. */
  tap?: (d: Delivery) => void
  readonly totals = {packets: 0, bytes: 0, lost: 0, cut: 0, streams: 0, streamsFailed: 0}

  constructor(
    private readonly world: SimWorld,
    private readonly rng: Random,
    public params: GossipNetParams,
  ) {}

  /** A transport for `name` at `addr`; attaching a name again (a restart) replaces the old endpoint. */
  attach(name: string, addr: Addr, owner: string, endpoint: GossipEndpoint, crypto?: () => Crypto | undefined): MemberlistTransport {
    const node: Node = {name, addr, owner, endpoint, crypto, dead: false, traffic: {packetsOut: 0, bytesOut: 0, packetsIn: 0, streamsOut: 0}}
    this.nodes.set(name, node)
    this.byAddr.set(key(addr), node)
    return {
      sendPacket: (to, msg, crc) => this.sendPacket(node, to, msg, crc),
      stream: (to, msg, expectReply, timeoutMs) => this.stream(node, to, msg, expectReply, timeoutMs),
      packetOverhead: () => {
        const c = node.crypto?.()
        return c && c.keys.length && c.encryptOutgoing ? 1 + 12 + 16 : 0
      },
    }
  }

  traffic(name: string): NodeTraffic {
    const n = this.nodes.get(name)
    if (!n) throw new Error(`unknown node ${name}`)
    return n.traffic
  }

  /** A crash: the node stops sending and receiving (the caller also pauses its events). */
  kill(name: string): void {
    const n = this.nodes.get(name)
    if (n) n.dead = true
  }

  isDead(name: string): boolean {
    return this.nodes.get(name)?.dead ?? true
  }

  /** Only nodes in the same group reach each other; nodes not named form group 0. */
  partition(groups: string[][]): void {
    this.group.clear()
    groups.forEach((g, i) => g.forEach((n) => this.group.set(n, i + 1)))
  }

  heal(): void {
    this.group.clear()
  }

  /** Hands `buf` to `to` as if `from` had sent it (scripts use it to inject crafted messages). */
  inject(from: string, to: string, buf: Uint8Array): void {
    const src = this.mustGet(from)
    const dst = this.mustGet(to)
    this.world.schedule(dst.owner, 0, () => dst.endpoint.onPacket(buf, src.addr), 'inject')
  }

  private reachable(a: Node, b: Node, kind: Kind): boolean {
    if (a.dead || b.dead) return false
    if ((this.group.get(a.name) ?? 0) !== (this.group.get(b.name) ?? 0)) return false
    return !this.filter?.(a.name, b.name, kind)
  }

  private sendPacket(src: Node, to: Addr, msg: Uint8Array, crc: boolean): void {
    if (src.dead) return
    const sealed = sealPacket(msg.slice(), crc, src.crypto?.())
    src.traffic.packetsOut++
    src.traffic.bytesOut += sealed.length
    this.totals.packets++
    this.totals.bytes += sealed.length
    if (this.rng.float() < this.params.lossP) {
      this.totals.lost++
      return
    }
    const dst = this.byAddr.get(key(to))
    if (!dst) return
    this.world.schedule(dst.owner, this.delay(), () => {
      if (!this.reachable(src, dst, 'packet')) {
        this.totals.cut++
        return
      }
      let plain: Uint8Array
      try {
        plain = openPacket(sealed, dst.crypto?.())
      } catch (e) {
        // What the real socket driver does with a packet it cannot open: count and drop.
        if (e instanceof WireError) return
        throw e
      }
      dst.traffic.packetsIn++
      this.tap?.({atMs: this.world.nowMs(), from: src.name, to: dst.name, kind: 'packet', types: describe(plain), bytes: sealed.length, plain})
      dst.endpoint.onPacket(plain, src.addr)
    }, 'udp')
  }

  /**
   * A TCP exchange: the request arrives after one delay, the reply after another.
   * Anything unreachable (partition, crash, filter) fails at the dial timeout, which
   * is how a dial to a host that drops every packet behaves.
   */
  private stream(src: Node, to: Addr, msg: Uint8Array, expectReply: boolean, timeoutMs: number): Promise<StreamMsg | undefined> {
    return new Promise((resolve, reject) => {
      if (src.dead) return reject(new Error('node is down'))
      src.traffic.streamsOut++
      this.totals.streams++
      let settled = false
      const finish = (err: Error | undefined, v?: StreamMsg) => {
        if (settled) return
        settled = true
        timer.cancel()
        if (err) {
          this.totals.streamsFailed++
          reject(err)
        } else resolve(v)
      }
      const timer = this.world.schedule(src.owner, timeoutMs, () => finish(new Error(`i/o timeout after ${timeoutMs}ms`)), 'tcp-timeout')
      const dst = this.byAddr.get(key(to))
      if (!dst) return
      const request = sealStream(msg, src.crypto?.())
      this.world.schedule(dst.owner, 2 * this.delay() + this.tcpRetransmitDelay(), () => {
        // Connect (one round trip) and write.
        if (!this.reachable(src, dst, 'stream')) return
        let reply: Uint8Array | undefined
        try {
          const m = readStream(request, dst.crypto?.())
          this.tap?.({atMs: this.world.nowMs(), from: src.name, to: dst.name, kind: 'stream', types: [m.type], bytes: request.length})
          reply = dst.endpoint.onStream(m, src.addr)
        } catch (e) {
          // The real driver closes the connection; the dialer sees it closed.
          if (!(e instanceof WireError)) throw e
        }
        if (!expectReply) return void this.world.schedule(src.owner, this.delay(), () => finish(undefined), 'tcp-done')
        const sealed = reply ? sealStream(reply, dst.crypto?.()) : undefined
        this.world.schedule(src.owner, this.delay() + this.tcpRetransmitDelay(), () => {
          if (!this.reachable(dst, src, 'stream')) return
          if (!sealed) return finish(new Error('connection closed before a reply'))
          try {
            finish(undefined, readStream(sealed, src.crypto?.()))
          } catch (e) {
            finish(e as Error)
          }
        }, 'tcp-reply')
      }, 'tcp')
    })
  }

  /** Time TCP spends resending a lost segment: RTO 1 s, doubling, for as long as the dice say lost. */
  private tcpRetransmitDelay(): number {
    let wait = 0
    for (let rto = 1_000; this.params.lossP > 0 && this.rng.float() < this.params.lossP; rto *= 2) wait += rto
    return wait
  }

  private delay(): number {
    const {delayMinMs: min, delayMaxMs: max} = this.params
    return min + this.rng.float() * (max - min)
  }

  private mustGet(name: string): Node {
    const n = this.nodes.get(name)
    if (!n) throw new Error(`unknown node ${name}`)
    return n
  }
}

function key(a: Addr): string {
  return `${a.ip}:${a.port}`
}

const TYPE_NAMES = Object.fromEntries(Object.entries(MsgType).map(([k, v]) => [v, k])) as Record<number, string>

/** Message type names in a plain packet, compound parts flattened (for the tap; never throws). */
export function describe(buf: Uint8Array): string[] {
  if (buf.length === 0) return ['empty']
  if (buf[0] !== MsgType.compound) return [TYPE_NAMES[buf[0]] ?? `type${buf[0]}`]
  try {
    return decodeCompound(buf.subarray(1)).parts.flatMap(describe)
  } catch {
    return ['bad-compound']
  }
}
