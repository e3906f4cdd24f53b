import {lookup} from 'node:dns/promises'
import {isIP} from 'node:net'
import {join as joinPath} from 'node:path'
import type {RuntimeConfig, GossipOverrides} from '../config/runtime.js'
import type {MemberInfo} from '../context.js'
import type {Env, Logger, TimerHandle} from '../env/types.js'
import {VERSION} from '../version.js'
import {resolveAddressTemplate} from '../address.js'
import {LAN_TIMING, LOCAL_TIMING, WAN_TIMING, type MemberlistTiming} from './memberlist/config.js'
import type {Addr} from './memberlist/messages.js'
import {GossipPool, PoolError, type KeyringOp, type KeyringPoolResult, type PoolOptions} from './pool.js'
import type {SerfEvent, SerfMember} from './serf/serf.js'

export {PoolError}

export interface AgentGossipOptions {
  config: RuntimeConfig
  env: Env
  log: Logger
  nodeId: string
  /** Advertised LAN address. */
  advertise: string
  /** The server RPC port actually bound (servers), for the `port` tag clients dial. */
  serverPort?: () => number | undefined
  onLanEvent?(e: SerfEvent): void
  /** The addresses a `provider=NAME key=value …` join entry stands for now (src/agent/join/discover.ts). */
  discover?(entry: string): Promise<string[]>
}

/**
 * The agent's gossip: the LAN pool on every agent and, on servers, the WAN pool
 * (members named `<node>.<dc>`), with Consul's tags, Consul's join checks, and the
 * -join / -retry-join loops. What the HTTP API and the CLI see of membership.
 */
export class AgentGossip {
  lan!: GossipPool
  wan?: GossipPool
  private readonly timers: TimerHandle[] = []
  private stopped = false

  constructor(private readonly o: AgentGossipOptions) {}

  /** What the LAN and WAN pools share: encryption, files under data_dir/serf, rejoin policy. */
  private common(kind: 'lan' | 'wan'): Pick<PoolOptions, 'env' | 'log' | 'encrypt' | 'verifyIncoming' | 'verifyOutgoing' | 'keyringFile' | 'snapshotFile' | 'rejoinAfterLeave'> {
    const c = this.o.config
    const dir = c.dataDir ? joinPath(c.dataDir, 'serf') : undefined
    const prefix = kind === 'lan' ? 'local' : 'remote'
    return {
      env: this.o.env,
      log: this.o.log.named(`serf.${kind}`),
      encrypt: c.encrypt,
      verifyIncoming: c.encryptVerifyIncoming,
      verifyOutgoing: c.encryptVerifyOutgoing,
      keyringFile: dir && !c.disableKeyringFile ? joinPath(dir, `${prefix}.keyring`) : undefined,
      snapshotFile: dir ? joinPath(dir, `${prefix}.snapshot`) : undefined,
      rejoinAfterLeave: c.rejoinAfterLeave,
    }
  }

  async start(): Promise<void> {
    const c = this.o.config
    const lanBind = c.serfLanBind || c.bindAddr
    // WAN first: the LAN tags carry the WAN port (wan_join_port).
    if (c.server && c.ports.serfWan !== -1) {
      const wanBind = c.serfWanBind || c.bindAddr
      this.wan = await listen('WAN gossip', wanBind, c.ports.serfWan, '-serf-wan-port', () => GossipPool.open({
        ...this.common('wan'),
        kind: 'wan',
        name: `${c.nodeName}.${c.datacenter}`,
        bindIp: wanBind,
        port: c.ports.serfWan,
        advertiseIp: c.advertiseAddrWan || this.o.advertise,
        tags: this.tags(true),
        timing: withOverrides(c.dev ? LOCAL_TIMING : WAN_TIMING, c.gossipWan),
        reconnectTimeoutMs: c.reconnectTimeoutWanMs,
        allowedCidrs: c.serfWanAllowedCidrs,
        validateMember: (m) => validateWan(m),
      }))
    }
    if (c.ports.serfLan !== -1) {
      this.lan = await listen('LAN gossip', lanBind, c.ports.serfLan, '-serf-lan-port', () => GossipPool.open({
        ...this.common('lan'),
        kind: 'lan',
        name: c.nodeName,
        bindIp: lanBind,
        port: c.ports.serfLan,
        advertiseIp: this.o.advertise,
        tags: this.tags(false),
        timing: withOverrides(c.dev ? LOCAL_TIMING : LAN_TIMING, c.gossipLan),
        reconnectTimeoutMs: c.reconnectTimeoutMs,
        allowedCidrs: c.serfLanAllowedCidrs,
        validateMember: (m) => this.validateLan(m),
        onEvent: (e) => {
          if (e.type === 'member-join' || e.type === 'member-update') this.floodWan(e.member)
          this.o.onLanEvent?.(e)
        },
      }))
    }
    this.lan?.start()
    this.wan?.start()
    if (this.lan) this.o.log.info(`LAN gossip listening on ${lanBind}:${this.lan.port} (udp+tcp)`)
    if (this.wan) this.o.log.info(`WAN gossip listening on ${c.serfWanBind || c.bindAddr}:${this.wan.port} (udp+tcp)`)
    if (this.lan && c.retryJoin.length) this.retryJoin('LAN', c.retryJoin, false, c.retryIntervalMs, c.retryMax)
    if (this.wan && c.retryJoinWan.length) this.retryJoin('WAN', c.retryJoinWan, true, c.retryIntervalWanMs, c.retryMaxWan)
  }

  /**
   * Consul's flood join: a server seen on the LAN is joined on the WAN too (at its
   * wan_join_port), so the servers of one datacenter find each other on the WAN
   * without being told.
   */
  private floodWan(m: SerfMember): void {
    const wan = this.wan
    const c = this.o.config
    if (!wan || m.name === c.nodeName || m.tags.role !== 'consul' || m.tags.dc !== c.datacenter) return
    const port = Number(m.tags.wan_join_port)
    if (!Number.isInteger(port) || port <= 0) return
    const wanName = `${m.name}.${c.datacenter}`
    if (wan.members().some((x) => x.name === wanName && x.status === 1)) return
    void wan.join([{ip: m.addr.ip, port}]).then((r) => {
      if (r.joined === 0) this.o.log.debug(`WAN flood join of ${wanName} failed`, {errors: r.errors.join('; ')})
    })
  }

  /** Consul's serf tags: how other agents find servers, their RPC port and bootstrap_expect. */
  private tags(wan: boolean): Record<string, string> {
    const c = this.o.config
    const t: Record<string, string> = {
      role: c.server ? 'consul' : 'node',
      dc: c.datacenter,
      segment: '',
      id: this.o.nodeId,
      vsn: '2',
      vsn_min: '2',
      vsn_max: '3',
      build: `${VERSION}:dc`,
    }
    if (c.server) {
      t.raft_vsn = '3'
      // dc's feature flag, in Consul's ft_ style: this server takes proposals forwarded in the
      // Raft stream (an older one ignores them, so followers forward whole calls to it).
      t.ft_raft_prop = '1'
      // -server-port=-1: nothing listens, so no port is advertised (others cannot dial it).
      const port = this.o.serverPort?.() ?? (c.ports.server > 0 ? c.ports.server : c.ports.server === -1 ? undefined : 8300)
      if (port !== undefined) t.port = String(port)
      if (c.bootstrap) t.bootstrap = '1'
      if (c.bootstrapExpect) t.expect = String(c.bootstrapExpect)
      if (c.ports.serfWan !== -1) t.wan_join_port = String(this.wan?.port ?? c.ports.serfWan)
      t.acls = '0'
    }
    if (wan) delete t.segment
    return t
  }

  private validateLan(m: {name: string; tags: Record<string, string>}): string | undefined {
    const c = this.o.config
    const role = m.tags.role
    if ((role === 'node' || role === 'consul') && m.tags.dc && m.tags.dc !== c.datacenter) {
      return `Member '${m.name}' part of wrong datacenter '${m.tags.dc}'`
    }
    if (m.tags.id && m.tags.id === this.o.nodeId && m.name !== c.nodeName) {
      return `Member '${m.name}' has conflicting node ID '${m.tags.id}' with this agent's ID`
    }
    if (this.lan) {
      for (const other of this.lan.members()) {
        if (other.name !== m.name && m.tags.id && other.tags.id === m.tags.id && other.status === 1) {
          return `Member '${m.name}' has conflicting node ID '${m.tags.id}' with member '${other.name}'`
        }
      }
    }
    return undefined
  }

  /** -join / -retry-join: every interval until one address answers, or retry_max attempts. */
  private retryJoin(what: 'LAN' | 'WAN', targets: string[], wan: boolean, intervalMs: number, max: number): void {
    let attempt = 0
    const tryOnce = async () => {
      if (this.stopped) return
      attempt++
      try {
        const n = await this.join(targets, wan)
        this.o.log.info(`Join ${what} completed. Synced with ${n} initial agents`)
        return
      } catch (e) {
        if (max > 0 && attempt >= max) {
          this.o.log.error(`Join ${what} failed after ${attempt} attempts, giving up (retry_max): ${(e as Error).message}`)
          return
        }
        this.o.log.warn(`Join ${what} failed, will retry in ${intervalMs / 1000}s: ${(e as Error).message}`)
        this.timers.push(this.o.env.timers.after(intervalMs, () => void tryOnce()))
      }
    }
    void tryOnce()
  }

  /** Joins the pool through any of the given addresses; throws when none could be reached. */
  async join(targets: string[], wan: boolean): Promise<number> {
    const pool = wan ? this.wan : this.lan
    if (!pool) throw new PoolError(wan ? 'WAN gossip is not enabled on this agent (WAN joins need a server with -serf-wan-port)' : 'LAN gossip is disabled (-serf-lan-port=-1)')
    const defPort = wan ? 8302 : 8301
    const addrs: Addr[] = []
    const errors: string[] = []
    for (const t of targets) {
      try {
        if (this.o.discover && t.trimStart().startsWith('provider=')) {
          // A failing provider is logged and skipped even when other entries join; one bad address skips only itself.
          const found = await this.o.discover(t).catch((e: Error) => (this.o.log.warn(`join provider skipped: ${e.message}`), Promise.reject(e)))
          for (const a of found) addrs.push(...(await resolveJoinAddress(a, defPort).catch((e: Error) => (errors.push(`${t}: ${a}: ${e.message}`), []))))
        } else addrs.push(...(await resolveJoinAddress(t, defPort)))
      } catch (e) {
        errors.push(`${t}: ${(e as Error).message}`)
      }
    }
    const r = addrs.length ? await pool.join(addrs) : {joined: 0, errors: []}
    if (r.joined === 0) throw new PoolError(`no agent could be joined: ${[...errors, ...r.errors].join('; ') || 'no addresses'}`)
    return r.joined
  }

  /**
   * Adds or changes one tag of this server's WAN member (raft_cluster_id, known only once
   * Raft has caught up); gossip spreads it as any tag update.
   */
  setWanTag(key: string, value: string): void {
    const serf = this.wan?.serf
    if (!serf || serf.localTags()[key] === value) return
    serf.setTags({...serf.localTags(), [key]: value})
  }

  members(wan: boolean): MemberInfo[] {
    const pool = wan ? this.wan : this.lan
    return (pool?.members() ?? []).map(memberInfo)
  }

  /** The local member as Consul's agent/self shows it. */
  self(): MemberInfo | undefined {
    const m = this.lan?.serf.localMember()
    return m ? memberInfo(m) : undefined
  }

  async forceLeave(node: string, prune: boolean, wan: boolean): Promise<void> {
    const pool = wan ? this.wan : this.lan
    if (!pool) throw new PoolError(`agent: No node found with name '${node}'`)
    await pool.forceLeave(node, prune)
  }

  /** Keyring operation on the LAN pool and (servers) the WAN pool. */
  async keyring(op: KeyringOp, key: string | undefined, relayFactor: number, localOnly: boolean): Promise<KeyringPoolResult[]> {
    const pools = [!localOnly ? this.wan : undefined, this.lan].filter((p): p is GossipPool => p !== undefined)
    return Promise.all(pools.map((p) => p.keyringOp(op, key, relayFactor)))
  }

  stats(): {lan?: Record<string, string>; wan?: Record<string, string>} {
    return {lan: this.lan?.stats(), wan: this.wan?.stats()}
  }

  /** Graceful leave of both pools, then the drain time for in-flight requests. */
  async leave(): Promise<void> {
    await Promise.all([this.lan?.leave(), this.wan?.leave()])
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const t of this.timers) t.cancel()
    await Promise.all([this.lan?.close(), this.wan?.close()])
  }
}

function validateWan(m: {name: string; tags: Record<string, string>}): string | undefined {
  if (m.tags.role !== 'consul') return `Member '${m.name}' is not a server`
  const dot = m.name.lastIndexOf('.')
  if (dot < 0 || (m.tags.dc && m.name.slice(dot + 1) !== m.tags.dc)) return `Member '${m.name}' has an invalid WAN name (expected <node>.<datacenter>)`
  return undefined
}

export function memberInfo(m: SerfMember): MemberInfo {
  return {
    Name: m.name,
    Addr: m.addr.ip,
    Port: m.addr.port,
    Tags: m.tags,
    Status: m.status,
    ProtocolMin: m.vsn[0] ?? 0,
    ProtocolMax: m.vsn[1] ?? 0,
    ProtocolCur: m.vsn[2] ?? 0,
    DelegateMin: m.vsn[3] ?? 0,
    DelegateMax: m.vsn[4] ?? 0,
    DelegateCur: m.vsn[5] ?? 0,
  }
}

function withOverrides(base: MemberlistTiming, o: GossipOverrides): MemberlistTiming {
  return {
    ...base,
    gossipNodes: o.gossipNodes ?? base.gossipNodes,
    gossipIntervalMs: o.gossipIntervalMs ?? base.gossipIntervalMs,
    probeIntervalMs: o.probeIntervalMs ?? base.probeIntervalMs,
    probeTimeoutMs: o.probeTimeoutMs ?? base.probeTimeoutMs,
    retransmitMult: o.retransmitMult ?? base.retransmitMult,
    suspicionMult: o.suspicionMult ?? base.suspicionMult,
  }
}

/** "ip", "ip:port", "[v6]:port", "host", "host:port" → addresses to dial. */
export async function resolveJoinAddress(target: string, defPort: number): Promise<Addr[]> {
  let host = resolveAddressTemplate(target.trim())
  let port = defPort
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(host)
  if (v6) {
    host = v6[1]
    if (v6[2]) port = Number(v6[2])
  } else if (!isIP(host)) {
    const m = /^(.*):(\d+)$/.exec(host)
    if (m) {
      host = m[1]
      port = Number(m[2])
    }
  }
  if (!host || port < 1 || port > 65535) throw new Error('not a valid join address')
  if (isIP(host)) return [{ip: host, port}]
  const found = await lookup(host, {all: true})
  return found.map((a) => ({ip: a.address, port}))
}

async function listen(what: string, ip: string, port: number, flag: string, open: () => Promise<GossipPool>): Promise<GossipPool> {
  try {
    return await open()
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') throw new Error(`${what} address ${ip}:${port} is already in use (is another agent running?); pick another -bind address or port with ${flag}`)
    if (code === 'EADDRNOTAVAIL') throw new Error(`${what} address ${ip}:${port} is not an address of this machine; check -bind`)
    if (code === 'EACCES') throw new Error(`${what} address ${ip}:${port}: permission denied; pick another port with ${flag}`)
    throw e
  }
}
