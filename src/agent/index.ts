import type {RuntimeConfig} from './config/runtime.js'
import type {AgentContext} from './context.js'
import {localMember, startupNotes} from './member.js'
import type {Env} from './env/types.js'
import {advertiseAddress} from './address.js'
import {loadNodeId} from './node-id.js'
import {createApp} from './http/app.js'
import {startHttpServer} from './http/server.js'
import {agentRoutes} from './http/routes.js'
import {BUILT_IN_UI_DIR} from './http/static-files.js'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {Raft} from './server/raft.js'
import {SessionTimers} from './server/session-timers.js'
import {Leader} from './server/leader.js'
import {makeReader} from './server/read.js'
import type {RaftStore} from '../store/raft/types.js'
import {createLocalAgent} from './local/index.js'
import {parseDnsConfig, startDnsServer, type DnsConfig, type DnsServer, type RawDnsConfig} from './dns/index.js'
import {dnsCatalog} from './server/dns-catalog.js'

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
  const nodeId = loadNodeId(config.nodeId, config.dataDir, env.random)
  const adv = advertiseAddress(config.advertiseAddr, config.bindAddr)
  const serverAddr = `${adv.address}:${config.ports.server > 0 ? config.ports.server : 8300}`
  if (!config.server) throw new Error('client mode needs LAN gossip to find servers, which arrives in a later dc version; start with -server (or -dev)')
  // Said once the banner is out (in start()).
  const notes = startupNotes(config, adv.note)

  // Parsed up front so a bad dns_config stops start-up before anything listens.
  const dnsConfig: DnsConfig = parseDnsConfig(config.dnsRaw as RawDnsConfig)
  const raft = new Raft({config, env, nodeId, serverAddr, log: log.named('raft'), store: overrides.raftStore})
  const leaveCbs: (() => void)[] = []
  const sessionTimers = new SessionTimers(env, (id) => {
    raft.apply({type: 'session', op: 'destroy', session: {ID: id}, now: env.clock.wallMs()}).then(
      () => log.info('session TTL expired; invalidated', {session: id}),
      (e) => {
        // Not lost: re-arm from the replicated session so a later attempt invalidates it.
        log.warn('session TTL invalidation failed; will retry', {session: id, error: String(e)})
        const s = raft.state.sessionGet(id).value
        if (s?.TTL && raft.isLeader()) sessionTimers.reset(id, s.TTL)
      },
    )
  })
  const queryDefaults = {defaultQueryTimeMs: config.defaultQueryTimeMs, maxQueryTimeMs: config.maxQueryTimeMs}
  const reader = makeReader(env, raft, queryDefaults)
  const local = createLocalAgent({config, env, log: log.named('local'), nodeId, nodeAddress: adv.address, apply: (cmd) => raft.apply(cmd), state: () => raft.state})
  const ctx: AgentContext = {
    local,
    config,
    env,
    log,
    nodeId,
    advertiseAddr: adv.address,
    state: () => raft.state,
    apply: (cmd) => raft.apply(cmd),
    read: reader.read,
    queryOptions: reader.queryOptions,
    raft: {
      isLeader: () => raft.isLeader(),
      leaderAddress: () => (raft.hasLeader() ? serverAddr : ''),
      peers: () => [serverAddr],
      stats: () => raft.stats(),
      configuration: () => raft.configuration(config.nodeName),
    },
    members: (wan) => [localMember(config, nodeId, adv.address, wan)],
    requestLeave: () => leaveCbs.forEach((cb) => cb()),
    reload: async () => {
      log.info('Reloading configuration...')
      // Re-reads the same files and flags; only reloadable parts (services, checks,
      // log level) take effect, as in Consul.
      const next = rereadConfig()
      log.setLevel(next.logLevel)
      await local.reload(next)
    },
    sessionTimers,
  }
  const leader = new Leader({ctx, raft, sessionTimers, nodeAddress: adv.address, log: log.named('leader')})
  let http: Awaited<ReturnType<typeof startHttpServer>> | undefined
  let dns: DnsServer | undefined

  return {
    nodeId,
    httpAddress: () => http?.address,
    async start() {
      for (const n of notes) log.warn(n)
      await raft.start()
      leader.start()
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
          catalog: dnsCatalog(config.datacenter, () => raft.state),
          random: env.random,
          log: log.named('dns'),
          wallMs: () => env.clock.wallMs(),
        }))
      }
      // A lone voter is leader as soon as Raft starts: be ready only once it has
      // registered itself. A server waiting for peers (bootstrap_expect > 1, or no
      // bootstrap) serves at once and answers "No cluster leader" until one exists.
      if (raft.isLeader()) await leader.waitReady()
      else log.warn('no cluster leader yet: writes and default reads answer "No cluster leader" until one is elected')
      await local.start()
    },
    async leave() {
      log.info('Gracefully leaving')
    },
    async shutdown() {
      log.info('Requesting shutdown')
      leader.stop()
      await local.stop()
      sessionTimers.clearAll()
      await http?.close()
      await dns?.close()
      await raft.stop()
      log.info('shutdown complete')
    },
    reload: () => ctx.reload(),
    onLeave(cb) {
      leaveCbs.push(cb)
    },
  }
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
