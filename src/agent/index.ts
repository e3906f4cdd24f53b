import type {RuntimeConfig} from './config/runtime.js'
import type {AgentContext} from './context.js'
import {startupNotes} from './startup-notes.js'
import {PluginHost} from './plugins/host.js'
import {discoverJoinTargets} from './join/discover.js'
import {AgentGossip, memberInfo} from './gossip/agent-gossip.js'
import {UserEventBuffer, USER_EVENT_PREFIX, acceptsEvent, decodeUserEvent, encodeUserEvent, validateFire} from './gossip/user-events.js'
import type {Env} from './env/types.js'
import {advertiseAddress} from './address.js'
import {loadNodeId} from './node-id.js'
import {createApp} from './http/app.js'
import {startHttpServer} from './http/server.js'
import {agentRoutes} from './http/routes.js'
import {BUILT_IN_UI_DIR} from './http/static-files.js'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {ServerRole} from './server/role.js'
import {CLUSTER_ID_TAG} from './server/dc-conflicts.js'
import {createTcpRaftTransport} from './raft/transport-tcp.js'
import type {RpcDelegate} from './server/endpoints/index.js'
import {RpcPool} from './rpc/client.js'
import {clientDelegate} from './client/delegate.js'
import {remoteDnsCatalog} from './client/dns-catalog.js'
import {TokenBucket} from './client/rate-limit.js'
import {createRpcCache} from './cache/rpc-cache.js'
import {parseQueryOptions} from './http/query-options.js'
import type {RaftStore} from '../store/raft/types.js'
import {createLocalAgent} from './local/index.js'
import {parseDnsConfig, startDnsServer, type DnsConfig, type DnsServer, type RawDnsConfig} from './dns/index.js'
import {dnsCatalog} from './server/dns-catalog.js'
import {dnsPreparedQuery} from './dns-prepared-query.js'
import {startCoordinateSync} from './coordinate-sync.js'
import type {Coordinate} from './gossip/coordinate/coordinate.js'

export interface AgentHandle {
  nodeId: string
  /** "host:port" of the HTTP API once started (undefined when it is off). */
  httpAddress(): string | undefined
  start(): Promise<void>
  /** Graceful leave (gossip arrives later: for now it stops serving writes first). */
  leave(): Promise<void>
  shutdown(): Promise<void>
  reload(): Promise<void>
  onLeave(cb: () => void): void
  /**
   * Report this node's LAN coordinate to the catalog at Consul's rate
   * (sync_coordinate_rate_target / sync_coordinate_interval_min), until shutdown or
   * the returned stop. Gossip calls it once with its CoordinateClient's getter and
   * the LAN pool size.
   */
  startCoordinateSync(getCoordinate: () => Coordinate | undefined, lanMembers?: () => number): () => void
  /** Where /v1/coordinate/datacenters reads this datacenter's servers' WAN coordinates (none until set). */
}

/** Implementations the composition root would otherwise pick itself. */
export interface AgentOverrides {
  raftStore?: RaftStore
}

/**
 * The composition root: the only place that picks implementations (SQLite or
 * in-memory Raft storage, real sockets) and wires the subsystems together.
 */
export async function createAgent(
  config: RuntimeConfig,
  env: Env,
  rereadConfig: () => RuntimeConfig = () => config,
  overrides: AgentOverrides = {},
): Promise<AgentHandle> {
  const log = env.log
  const nodeId = loadNodeId(config.nodeId, config.dataDir, env.random, (m) => log.warn(m))
  const adv = advertiseAddress(config.advertiseAddr, config.bindAddr)
  // Said once the banner is out (in start()).
  const notes = startupNotes(config, adv.note)

  // Parsed up front so a bad dns_config stops start-up before anything listens.
  const dnsConfig: DnsConfig = parseDnsConfig(config.dnsRaw as RawDnsConfig)
  // Plugins before anything listens: a plugin that cannot load stops start-up with one line.
  const plugins = await PluginHost.start({entries: config.plugins, pluginDir: config.pluginDir, env, log: log.named('plugins'), nodeName: config.nodeName, datacenter: config.datacenter})
  const leaveCbs: (() => void)[] = []
  const events = new UserEventBuffer(env)
  // eslint-disable-next-line prefer-const
  let local: ReturnType<typeof createLocalAgent>
  // eslint-disable-next-line prefer-const
  let server: ServerRole | undefined
  const gossip = new AgentGossip({
    config, env, log: log.named('gossip'), nodeId, advertise: adv.address,
    serverPort: () => server?.rpcPort,
    onLanEvent: (e) => {
      if (e.type === 'user') {
        if (!e.name.startsWith(USER_EVENT_PREFIX)) return
        try {
          const ev = decodeUserEvent(e.payload, e.ltime)
          if (acceptsEvent(ev, config.nodeName, local.services())) {
            events.add(ev)
            log.info('Handling event', {name: ev.Name, id: ev.ID})
            plugins.deliverEvent({id: ev.ID, name: ev.Name, payload: ev.Payload ? Buffer.from(ev.Payload, 'base64') : new Uint8Array(), ltime: ev.LTime})
          }
        } catch (err) {
          log.warn('dropped an undecodable user event', {error: String(err)})
        }
        return
      }
      if (e.type === 'query') return
      server?.onMemberEvent(e.member, e.type === 'member-reap')
      // A client that just learned of a server syncs at once instead of waiting out its retry timer.
      if (!server && e.type === 'member-join' && e.member.tags.role === 'consul') local.requestFullSync()
    },
    discover: (entry) => discoverJoinTargets(entry, plugins.registry, (p) => plugins.envFor(p)),
  })
  // A server runs the endpoints itself; a client agent sends every call to a server.
  server = config.server ? new ServerRole({config, env, log, nodeId, address: adv.address, raftStore: overrides.raftStore, lanMembers: () => gossip.lan?.members() ?? [],
    // Internal.EventFire: this server broadcasts events agents send it in its LAN pool.
    // (The pool exists only once gossip has started, hence the lookup per call.)
    userEvents: {
      fire: (name, payload) => {
        if (!gossip.lan) throw new Error('LAN gossip is disabled on this server (-serf-lan-port=-1): events cannot be sent')
        gossip.lan.serf.userEvent(USER_EVENT_PREFIX + name, payload, false)
      },
    },
    wan: () => {
      const wan = gossip.wan
      return wan && {members: () => wan.members(), self: () => wan.coordinate.getCoordinate(), coordinateOf: (m: string) => wan.peerCoordinate(m)}
    },
    advertiseClusterId: (id) => gossip.setWanTag(CLUSTER_ID_TAG, id),
    raftTransport: (o) => createTcpRaftTransport({
      selfId: nodeId, datacenter: config.datacenter, bindIp: config.bindAddr, resolve: o.resolve, listener: {onProtocol: o.listen}, log: log.named('raft.transport'),
    })}) : undefined
  const pool = server ? undefined : new RpcPool({bindIp: config.bindAddr, log: log.named('rpc')})
  // limits.rpc_rate / rpc_max_burst on a client's calls to servers (reloadable, as in Consul).
  const limiter = server ? undefined : new TokenBucket(env.clock, config.rpcRate, config.rpcMaxBurst)
  const rpc: RpcDelegate = server
    ? server.rpc
    : clientDelegate({
      env, log: log.named('rpc'), pool: pool!, datacenter: config.datacenter,
      members: () => gossip.lan?.members() ?? [],
      holdTimeoutMs: config.rpcHoldTimeoutMs,
      defaultQueryTimeMs: config.defaultQueryTimeMs,
      maxQueryTimeMs: config.maxQueryTimeMs,
      limiter,
    })
  // The agent cache (?cached, dns_config.use_cache): its fetches go through the same seam.
  const cache = createRpcCache(env, log.named('cache'), rpc)
  let stopLanCoordinates: (() => void) | undefined
  const queryDefaults = {defaultQueryTimeMs: config.defaultQueryTimeMs, maxQueryTimeMs: config.maxQueryTimeMs, discoveryMaxStaleMs: config.discoveryMaxStaleMs}
  const coordinateSyncs = new Set<{stop(): void}>()
  local = createLocalAgent({config, env, log: log.named('local'), nodeId, nodeAddress: adv.address, rpc, state: server ? () => server!.state() : undefined, types: plugins.registry})
  const ctx: AgentContext = {
    rpc,
    cache,
    local,
    config,
    env,
    log,
    nodeId,
    advertiseAddr: adv.address,
    queryOptions: (req) => parseQueryOptions(req, queryDefaults),
    raft: server?.raftStatus(),
    wanStats: server && (() => server!.wanStats()),
    gossip: {
      members: (wan) => gossip.members(wan),
      self: () => gossip.self(),
      join: (addrs, wan) => gossip.join(addrs, wan),
      forceLeave: (node, prune, wan) => gossip.forceLeave(node, prune, wan),
      keyring: (op, key, relay, localOnly) => gossip.keyring(op, key, relay, localOnly),
      stats: () => gossip.stats(),
      fireEvent: async (p) => {
        validateFire(p)
        const id = env.random.uuid()
        const payload = encodeUserEvent(id, p)
        // As Consul's agent: encode here, then a server (this one, or one the router picks) broadcasts it.
        await rpc('Internal.EventFire', {Datacenter: config.datacenter, Name: p.name, Payload: payload, AllowStale: true})
        return {ID: id, Name: p.name, Payload: p.payload.length ? Buffer.from(p.payload).toString('base64') : null, NodeFilter: p.nodeFilter, ServiceFilter: p.serviceFilter, TagFilter: p.tagFilter, Version: 1, LTime: 0}
      },
      events,
    },
    requestLeave: () => leaveCbs.forEach((cb) => cb()),
    reload: async () => {
      log.info('Reloading configuration...')
      // Re-reads the same files and flags; only reloadable parts (services, checks,
      // log level) take effect, as in Consul.
      const next = rereadConfig()
      log.setLevel(next.logLevel)
      limiter?.update(next.rpcRate, next.rpcMaxBurst)
      const reconfigured = await plugins.reload(next.plugins)
      await local.reload(next)
      // Checks of a reconfigured plugin's types are rebuilt so its create() sees the new config.
      if (reconfigured.length) local.rebuildChecks(reconfigured)
    },
    pluginStats: () => plugins.stats(),
  }
  let http: Awaited<ReturnType<typeof startHttpServer>> | undefined
  let dns: DnsServer | undefined

  const handle: AgentHandle = {
    nodeId,
    httpAddress: () => http?.address,
    async start() {
      for (const n of notes) log.warn(n)
      // The RPC listener, then gossip (its tags carry the RPC port): a taken port stops
      // start-up before anything else listens.
      await server?.listen()
      await gossip.start()
      if (gossip.lan) {
        const lan = gossip.lan
        stopLanCoordinates = handle.startCoordinateSync(() => lan.coordinate.getCoordinate(), () => lan.members().length)
      }
      await server?.start(ctx)
      if (config.ports.http !== -1) {
        const app = createApp(agentRoutes(config), ctx, {log: (m, f) => log.error(m, f)})
        const host = config.clientAddr.split(' ')[0]
        http = await listening('HTTP', `${host}:${config.ports.http}`, '-http-port', () =>
          startHttpServer({host, port: config.ports.http, maxBodyBytes: Math.max(config.kvMaxValueSize, config.txnMaxReqLen) + 1024, handle: app}))
        log.info(`HTTP server listening on ${http.address}`)
        if (config.ui) {
          const assets = config.uiDir ?? BUILT_IN_UI_DIR
          if (!existsSync(join(assets, 'index.html'))) log.warn(`web UI: no index.html in ${assets}${config.uiDir ? '' : ' (run npm run build)'}`)
          log.info(`web UI at http://${http.address}${config.uiContentPath}`)
        }
      }
      if (config.ports.dns !== -1) {
        dns = await listening('DNS', `${config.clientAddr.split(' ')[0]}:${config.ports.dns}`, '-dns-port', () => startDnsServer({
          host: config.clientAddr.split(' ')[0],
          port: config.ports.dns,
          config: dnsConfig,
          // Servers answer from their own store (stale reads, as Consul's DNS default).
          // A client asks a server per query, or the agent cache with dns_config.use_cache.
          catalog: server
            // A server answers its own datacenter from local state and asks the others over the WAN.
            ? remoteDnsCatalog({
              datacenter: config.datacenter, rpc, config: dnsConfig, env, log: log.named('dns'),
              localView: dnsCatalog(config.datacenter, () => server!.state()),
              datacenters: () => server!.wanRouter.datacenters(),
              translateWan: config.translateWanAddrs,
            })
            : remoteDnsCatalog({datacenter: config.datacenter, rpc, cache: dnsConfig.useCache ? cache : undefined, config: dnsConfig, env, log: log.named('dns'), translateWan: config.translateWanAddrs}),
          random: env.random,
          log: log.named('dns'),
          wallMs: () => env.clock.wallMs(),
          preparedQuery: dnsPreparedQuery(rpc, {node: config.nodeName, datacenter: config.datacenter, allowStale: dnsConfig.allowStale}),
        }))
      }
      // A server waiting for peers serves at once and answers "No cluster leader"; a client
      // with no known server answers "No known Consul servers" until it joins one.
      await server?.waitReady()
      if (!server && (gossip.lan?.members().filter((m) => m.tags.role === 'consul').length ?? 0) === 0) log.warn('no known Consul servers yet: calls that need one answer "No known Consul servers" until this agent joins a pool with a server')
      await local.start()
    },
    async leave() {
      log.info('Gracefully leaving')
      await gossip.leave()
      // Consul keeps serving for leave_drain_time so in-flight requests finish.
      if (config.leaveDrainTimeMs > 0 && server) await new Promise<void>((r) => env.timers.after(Math.min(config.leaveDrainTimeMs, 5000), r))
    },
    async shutdown() {
      log.info('Requesting shutdown')
      for (const sync of coordinateSyncs) sync.stop()
      await local.stop()
      await plugins.close()
      await http?.close()
      await dns?.close()
      cache.stop()
      await server?.stop()
      await pool?.close()
      stopLanCoordinates?.()
      await gossip.stop()
      log.info('shutdown complete')
    },
    reload: () => ctx.reload(),
    onLeave(cb) {
      leaveCbs.push(cb)
    },
    startCoordinateSync(getCoordinate, lanMembers) {
      const sync = startCoordinateSync({
        env,
        log: log.named('coordinate'),
        nodeName: config.nodeName,
        rateTarget: config.syncCoordinateRateTarget,
        intervalMinMs: config.syncCoordinateIntervalMinMs,
        clusterSize: lanMembers,
        getCoordinate,
        // Through the seam: a server queues it locally, a client sends it to a server.
        send: async (entry) => {
          await rpc('Coordinate.Update', entry)
        },
      })
      coordinateSyncs.add(sync)
      return () => {
        sync.stop()
        coordinateSyncs.delete(sync)
      }
    },
  }
  return handle
}

/** Binds a listener, turning "address in use" into a message that says what to do. */
async function listening<T>(what: string, address: string, flag: string, bind: () => Promise<T>): Promise<T> {
  try {
    return await bind()
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') throw new Error(`${what} address ${address} is already in use (is another agent running?); pick another port with ${flag}, or 0 for any free port`)
    if (code === 'EADDRNOTAVAIL') throw new Error(`${what} address ${address} is not an address of this machine; check -client`)
    if (code === 'EACCES') throw new Error(`${what} address ${address}: permission denied (ports below 1024 need privileges); pick another port with ${flag}`)
    throw e
  }
}
