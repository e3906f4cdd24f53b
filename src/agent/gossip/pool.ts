import {mkdirSync, readFileSync, renameSync, writeFileSync, existsSync} from 'node:fs'
import {dirname} from 'node:path'
import {BlockList, isIPv6} from 'node:net'
import type {Env, Logger} from '../env/types.js'
import type {MemberlistTiming} from './memberlist/config.js'
import {Keyring, KeyringError} from './memberlist/keyring.js'
import type {Addr} from './memberlist/messages.js'
import type {Crypto} from './memberlist/wire.js'
import {decodeKeyRequest, decodeKeyResponse, encodeKeyRequest, encodeKeyResponse, type KeyResponse} from './serf/messages.js'
import {MemberStatus, Serf, type SerfEvent, type SerfMember} from './serf/serf.js'
import {openGossipSocket, type GossipSocket} from './transport.js'
import {CoordinateClient, CoordinateError, PING_VERSION, coordinateFromWire, type Coordinate} from './coordinate/index.js'
import {decodeSequence, encode} from './codec.js'
import {readSnapshot, SnapshotWriter} from './snapshot.js'

export interface PoolOptions {
  /** "lan" or "wan": names in logs and keyring answers. */
  kind: 'lan' | 'wan'
  name: string
  bindIp: string
  port: number
  /** Advertised IP; the port is the bound one. */
  advertiseIp: string
  tags: Record<string, string>
  timing: MemberlistTiming
  env: Env
  log: Logger
  /** base64 key from -encrypt. */
  encrypt?: string
  verifyIncoming: boolean
  verifyOutgoing: boolean
  /** data_dir/serf/local.keyring (or remote.keyring); undefined with -dev or disable_keyring_file. */
  keyringFile?: string
  /** data_dir/serf/local.snapshot (or remote.snapshot). */
  snapshotFile?: string
  /** Rejoin the previous members after a graceful leave too (rejoin_after_leave). */
  rejoinAfterLeave: boolean
  reconnectTimeoutMs?: number
  /** CIDRs allowed to talk to this pool ([] = anyone). */
  allowedCidrs?: string[]
  validateMember?(m: {name: string; tags: Record<string, string>; addr: Addr}): string | undefined
  onEvent?(e: SerfEvent): void
}

/** A keyring operation's outcome across one pool, as Consul reports it per pool. */
export interface KeyringPoolResult {
  wan: boolean
  numNodes: number
  numResp: number
  numErr: number
  messages: Record<string, string>
  keys: Record<string, number>
  primaryKeys: Record<string, number>
}

export type KeyringOp = 'install' | 'use' | 'remove' | 'list'

const QUERY_NAMES: Record<KeyringOp, string> = {install: '_serf_install-key', use: '_serf_use-key', remove: '_serf_remove-key', list: '_serf_list-keys'}

/**
 * One gossip pool of the agent (LAN on 8301, or WAN on 8302 for servers): the
 * socket, Serf on memberlist, the keyring with its file, the member snapshot used
 * to rejoin after a restart, and Serf's internal queries (keyring, ping, conflict).
 */
export class GossipPool {
  readonly serf: Serf
  readonly keyring: Keyring
  /** This pool's Vivaldi coordinate, fed by probe round-trip times (Serf's ping delegate). */
  readonly coordinate: CoordinateClient
  /** The last coordinate each member reported in its acks. */
  private readonly peerCoords = new Map<string, Coordinate>()
  private snapshot?: SnapshotWriter
  private closed = false

  private constructor(readonly o: PoolOptions, readonly socket: GossipSocket, keyring: Keyring, serfFactory: (p: GossipPool) => Serf) {
    this.keyring = keyring
    this.coordinate = new CoordinateClient({random: () => o.env.random.float()})
    this.serf = serfFactory(this)
    this.serf.ackPayload = () => {
      const body = encode(this.coordinate.getCoordinate())
      const out = new Uint8Array(body.length + 1)
      out[0] = PING_VERSION
      out.set(body, 1)
      return out
    }
    this.serf.onPingComplete = (node, rttMs, payload) => this.onPingComplete(node, rttMs, payload)
  }

  /** A probe's RTT and the peer's coordinate from its ack move ours (Vivaldi). */
  private onPingComplete(node: string, rttMs: number, payload: Uint8Array): void {
    if (payload.length < 2 || payload[0] !== PING_VERSION) return
    try {
      const other = coordinateFromWire(decodeSequence(payload.subarray(1), 1).values[0])
      if (!other) return
      this.coordinate.update(node, other, rttMs)
      this.peerCoords.set(node, other)
    } catch (e) {
      if (e instanceof CoordinateError) this.o.log.debug('rejected a coordinate', {node, error: e.message})
      // undecodable payloads are ignored, as Serf does
    }
  }

  /** The coordinate last seen from a member (WAN: /v1/coordinate/datacenters). */
  peerCoordinate(node: string): Coordinate | undefined {
    return node === this.o.name ? this.coordinate.getCoordinate() : this.peerCoords.get(node)
  }

  static async open(o: PoolOptions): Promise<GossipPool> {
    const keyring = loadKeyring(o)
    const crypto: Crypto = {
      get keys() {
        return keyring.all()
      },
      encryptOutgoing: o.verifyOutgoing,
      verifyIncoming: o.verifyIncoming,
      nonce: () => o.env.random.bytes(12),
    }
    let pool!: GossipPool
    const allowed = allowList(o.allowedCidrs ?? [])
    const socket = await openGossipSocket({bindIp: o.bindIp, port: o.port, log: o.log, crypto: () => (keyring.enabled() ? crypto : undefined), tcpTimeoutMs: o.timing.tcpTimeoutMs, allowed, compress: true}, {
      onPacket: (buf, from) => pool.serf.handlePacket(buf, from),
      onStream: (msg, from) => pool.serf.handleStream(msg, from),
    })
    const snap = o.snapshotFile ? readSnapshot(o.snapshotFile) : undefined
    pool = new GossipPool(o, socket, keyring, (p) => new Serf({
      name: o.name,
      advertise: {ip: o.advertiseIp, port: socket.port},
      tags: o.tags,
      timing: o.timing,
      env: o.env,
      log: o.log,
      transport: socket,
      // memberlist also refuses alive messages that carry a member address outside the list.
      validateMember: (m) => (allowed && !allowed(m.addr.ip) ? `member '${m.name}' address ${m.addr.ip} is not in the allowed CIDRs` : o.validateMember?.(m)),
      reconnectTimeoutMs: o.reconnectTimeoutMs,
      clocks: snap ? {clock: snap.clock, eventClock: snap.eventClock, queryClock: snap.queryClock} : undefined,
      onEvent: (e) => p.onEvent(e),
    }))
    if (o.snapshotFile) pool.snapshot = new SnapshotWriter(o.snapshotFile, o.env, o.log, () => pool.serf)
    pool.previous = snap && (!snap.left || o.rejoinAfterLeave) ? snap.alive.filter((a) => a.name !== o.name) : []
    if (snap?.left && !o.rejoinAfterLeave && snap.alive.length) o.log.info(`${o.kind.toUpperCase()} pool: left gracefully last time; not rejoining previous members (set rejoin_after_leave to change this)`)
    return pool
  }

  /** Members recorded in the snapshot, to rejoin after a restart. */
  previous: {name: string; addr: Addr}[] = []

  get port(): number {
    return this.socket.port
  }

  start(): void {
    this.serf.start()
    this.snapshot?.start()
    if (this.previous.length) {
      const addrs = this.previous.map((p) => p.addr)
      void this.serf.join(addrs).then((r) => {
        if (r.joined) this.o.log.info(`${this.o.kind.toUpperCase()} pool: rejoined ${r.joined} previous member(s) from the snapshot`)
      })
    }
  }

  members(): SerfMember[] {
    return this.serf.allMembers()
  }

  join(addrs: Addr[]): Promise<{joined: number; errors: string[]}> {
    return this.serf.join(addrs)
  }

  async leave(): Promise<void> {
    await this.serf.leave()
    this.snapshot?.markLeft()
  }

  /** force-leave: Consul's error for an unknown name; ok otherwise. */
  async forceLeave(name: string, prune: boolean): Promise<void> {
    if (!this.serf.allMembers().some((m) => m.name === name)) throw new PoolError(`agent: No node found with name '${name}'`)
    await this.serf.removeFailedNode(name, prune)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.snapshot?.stop()
    this.serf.shutdown()
    await this.socket.close()
  }

  stats(): Record<string, string> {
    return {
      ...this.serf.stats(),
      encrypted: String(this.keyring.enabled()),
      packets_rejected: String(this.socket.counters.packetsRejected),
      streams_rejected: String(this.socket.counters.streamsRejected),
    }
  }

  /** A keyring operation on every member of the pool, through Serf's internal queries. */
  async keyringOp(op: KeyringOp, keyB64: string | undefined, relayFactor = 0): Promise<KeyringPoolResult> {
    let key: Uint8Array = new Uint8Array(0)
    if (op !== 'list') {
      try {
        key = Keyring.decodeKey(keyB64 ?? '')
      } catch (e) {
        throw new PoolError(`Invalid key: ${(e as Error).message}`)
      }
    }
    const numNodes = this.serf.allMembers().filter((m) => m.status === MemberStatus.alive).length
    const result: KeyringPoolResult = {wan: this.o.kind === 'wan', numNodes, numResp: 0, numErr: 0, messages: {}, keys: {}, primaryKeys: {}}
    await this.serf.query(QUERY_NAMES[op], encodeKeyRequest(key), {relayFactor}, (from, payload) => {
      let r: KeyResponse
      try {
        r = decodeKeyResponse(payload)
      } catch {
        result.numErr++
        result.messages[from] = 'unreadable key response'
        return
      }
      result.numResp++
      if (!r.result) {
        result.numErr++
        result.messages[from] = r.message
      }
      for (const k of r.keys) result.keys[k] = (result.keys[k] ?? 0) + 1
      if (r.primaryKey) result.primaryKeys[r.primaryKey] = (result.primaryKeys[r.primaryKey] ?? 0) + 1
      // As Serf's key manager: done once every member has answered.
      return result.numResp >= numNodes
    })
    return result
  }

  private onEvent(e: SerfEvent): void {
    if (e.type === 'query' && e.query.name.startsWith('_serf_')) return this.internalQuery(e.query)
    if (e.type === 'member-leave' || e.type === 'member-reap') {
      this.coordinate.forgetNode(e.member.name)
      this.peerCoords.delete(e.member.name)
    }
    if (e.type !== 'query' && e.type !== 'user') {
      this.o.log.info(`${this.o.kind === 'lan' ? 'serf' : 'serf.wan'}: ${eventLabel(e.type)}: ${e.member.name} ${e.member.addr.ip}`)
      this.snapshot?.changed()
    }
    this.o.onEvent?.(e)
  }

  /** Answers Serf's internal queries as Serf does: keyring changes, ping, name conflicts. */
  private internalQuery(q: {name: string; payload: Uint8Array; respond(p: Uint8Array): boolean}): void {
    const op = (Object.keys(QUERY_NAMES) as KeyringOp[]).find((k) => QUERY_NAMES[k] === q.name)
    if (!op) return // _serf_ping needs only the ack; _serf_conflict is answered by name owners only
    const resp: KeyResponse = {result: false, message: '', keys: [], primaryKey: ''}
    try {
      if (!this.keyring.enabled()) {
        resp.message = op === 'list' ? 'Keyring is empty (encryption not enabled)' : 'No keyring to modify (encryption not enabled)'
      } else if (op === 'list') {
        resp.keys = this.keyring.all().map(Keyring.encodeKey)
        resp.primaryKey = Keyring.encodeKey(this.keyring.primary()!)
        resp.result = true
      } else {
        const key = decodeKeyRequest(q.payload)
        if (op === 'install') this.keyring.install(key)
        else if (op === 'use') this.keyring.use(key)
        else this.keyring.remove(key)
        this.o.log.info(`serf: Received ${q.name.slice(6)} query`)
        this.persistKeyring()
        resp.result = true
      }
    } catch (e) {
      resp.message = e instanceof KeyringError ? e.message : (e as Error).message
    }
    q.respond(encodeKeyResponse(resp))
  }

  private persistKeyring(): void {
    if (!this.o.keyringFile) return
    writeAtomic(this.o.keyringFile, JSON.stringify(this.keyring.all().map(Keyring.encodeKey), null, 2) + '\n')
  }
}

export class PoolError extends Error {}

function allowList(cidrs: string[]): ((ip: string) => boolean) | undefined {
  if (cidrs.length === 0) return undefined
  const list = new BlockList()
  for (const c of cidrs) {
    const [net, bits] = c.split('/')
    list.addSubnet(net, Number(bits), isIPv6(net) ? 'ipv6' : 'ipv4')
  }
  return (ip) => list.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4')
}

/**
 * The keyring: the persisted file wins over -encrypt once it exists (so a rotated key
 * survives restarts), and a disagreement is said in one line with what to do.
 */
function loadKeyring(o: PoolOptions): Keyring {
  const given = o.encrypt ? Keyring.decodeKey(o.encrypt) : undefined
  if (o.keyringFile && existsSync(o.keyringFile)) {
    let keys: string[]
    try {
      keys = JSON.parse(readFileSync(o.keyringFile, 'utf8')) as string[]
      if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw new Error('not a JSON list of keys')
    } catch (e) {
      throw new KeyringError(`cannot read the gossip keyring ${o.keyringFile}: ${(e as Error).message}; fix or delete it (then -encrypt supplies the key)`)
    }
    const ring = new Keyring(keys.map((k) => Keyring.decodeKey(k)))
    if (given && ring.enabled() && Keyring.encodeKey(ring.primary()!) !== o.encrypt!.trim() && !keys.includes(o.encrypt!.trim())) {
      o.log.warn(`${o.kind.toUpperCase()} keyring ${o.keyringFile} exists and does not hold the -encrypt key; using the keyring file (rotate with 'dc keyring -install/-use', or delete the file to start from -encrypt)`)
    } else if (given) {
      o.log.info(`${o.kind.toUpperCase()} keyring exists, using it (the -encrypt key is ignored once a keyring file exists)`)
    }
    return ring
  }
  const ring = new Keyring(given ? [given] : [])
  if (given && o.keyringFile) writeAtomic(o.keyringFile, JSON.stringify([o.encrypt!.trim()], null, 2) + '\n')
  return ring
}

function writeAtomic(file: string, data: string): void {
  mkdirSync(dirname(file), {recursive: true})
  const tmp = `${file}.tmp`
  writeFileSync(tmp, data, {mode: 0o600})
  renameSync(tmp, file)
}

function eventLabel(t: string): string {
  return {'member-join': 'EventMemberJoin', 'member-leave': 'EventMemberLeave', 'member-failed': 'EventMemberFailed', 'member-update': 'EventMemberUpdate', 'member-reap': 'EventMemberReap'}[t] ?? t
}
