import {hostname} from 'node:os'
import {isIP} from 'node:net'
import {durationMs} from './duration.js'
import {ConfigError, loadSources, mergeConfig, validateSource, type RawConfig} from './load.js'
import type {LogLevel} from '../env/types.js'
import {AddressError, resolveAddressTemplate} from '../address.js'
import {parsePluginEntries, type PluginEntry} from '../plugins/entries.js'
import {PluginError} from '../plugins/errors.js'
import {parseReplication, type ReplicationConfig} from './replication.js'

/** The agent's immutable configuration after files, -config-dir and flags are merged. */
export interface RuntimeConfig {
  dev: boolean
  server: boolean
  bootstrap: boolean
  bootstrapExpect: number
  datacenter: string
  /** undefined only in -dev without -data-dir: state lives in memory. */
  dataDir?: string
  nodeName: string
  nodeId?: string
  nodeMeta: Record<string, string>
  bindAddr: string
  clientAddr: string
  advertiseAddr: string
  ports: {http: number; https: number; dns: number; grpc: number; serfLan: number; serfWan: number; server: number}
  logLevel: LogLevel
  logJson: boolean
  pidFile?: string
  retryJoin: string[]
  retryJoinWan: string[]
  retryIntervalMs: number
  /** Join attempts before giving up (0 = forever). */
  retryMax: number
  retryIntervalWanMs: number
  retryMaxWan: number
  advertiseAddrWan: string
  /** serf_lan / serf_wan: bind addresses of the gossip pools ('' = bind_addr). */
  serfLanBind: string
  serfWanBind: string
  /** Only these networks may talk to the pool (serf_lan_allowed_cidrs / serf_wan_allowed_cidrs); [] = anyone. */
  serfLanAllowedCidrs: string[]
  serfWanAllowedCidrs: string[]
  encrypt?: string
  encryptVerifyIncoming: boolean
  encryptVerifyOutgoing: boolean
  disableKeyringFile: boolean
  rejoinAfterLeave: boolean
  reconnectTimeoutMs: number
  reconnectTimeoutWanMs: number
  /** gossip_lan / gossip_wan overrides (ms and counts), already parsed. */
  gossipLan: GossipOverrides
  gossipWan: GossipOverrides
  leaveDrainTimeMs: number
  /** performance.rpc_hold_timeout: how long a client keeps retrying servers for one call. */
  rpcHoldTimeoutMs: number
  /** discovery_max_stale: stale reads on a server lagging more than this go to the leader (0 = off). */
  discoveryMaxStaleMs: number
  /** translate_wan_addrs: answers about other datacenters carry their WAN addresses. */
  translateWanAddrs: boolean
  /** server_rejoin_age_max: a server offline longer than this refuses to rejoin its cluster. */
  serverRejoinAgeMaxMs: number
  /** limits.rpc_rate: RPCs per second a client agent may send to servers (Infinity: no limit, Consul's default -1). */
  rpcRate: number
  /** limits.rpc_max_burst: the token bucket's size (Consul: 1000). */
  rpcMaxBurst: number
  /** limits.rpc_max_conns_per_client: a server's open RPC connections per source IP (Consul: 100; 0 = no limit). */
  rpcMaxConnsPerClient: number
  /** Serve the web UI: ui_config.enabled (on in -dev) or a ui_config.dir of custom assets. */
  ui: boolean
  /** Custom UI assets to serve instead of the built-in ones (ui_config.dir, -ui-dir). */
  uiDir?: string
  /** Where the UI is served, with leading and trailing slash (ui_config.content_path, default /ui/). */
  uiContentPath: string
  raftSnapshotThreshold: number
  raftTrailingLogs: number
  raftSnapshotIntervalMs: number
  raftMultiplier: number
  kvMaxValueSize: number
  txnMaxReqLen: number
  sessionTtlMinMs: number
  defaultQueryTimeMs: number
  maxQueryTimeMs: number
  /** Consul's raw DNS keys (domain, alt_domain, recursors, dns_config), parsed by the DNS module. */
  dnsRaw: RawConfig
  enableScriptChecks: boolean
  enableLocalScriptChecks: boolean
  checkUpdateIntervalMs: number
  aeIntervalMs?: number
  checkReapIntervalMs?: number
  checkDeregisterIntervalMinMs?: number
  discardCheckOutput: boolean
  /** Raw service/check definitions from config files (snake_case or PascalCase). */
  services: unknown[]
  checks: unknown[]
  /** Cluster-wide coordinate writes per second the agents aim for (Consul: 64). */
  syncCoordinateRateTarget: number
  /** Shortest interval between one agent's coordinate reports (Consul: 15s). */
  syncCoordinateIntervalMinMs: number
  /** Agent plugins to load, in order (docs/plugins.md). */
  plugins: PluginEntry[]
  /** Where plugin names are looked up before node_modules. */
  pluginDir?: string
  /** replication { kv_prefixes, source_datacenter }: what this datacenter's leader copies (servers only). */
  replication?: ReplicationConfig
  leaveOnTerminate: boolean
  skipLeaveOnInterrupt: boolean
  /** Config files read, in order (for reload). */
  sources: string[]
  configFiles: string[]
  configDirs: string[]
}

export interface GossipOverrides {
  gossipNodes?: number
  gossipIntervalMs?: number
  probeIntervalMs?: number
  probeTimeoutMs?: number
  retransmitMult?: number
  suspicionMult?: number
}

/**
 * ui_config as Consul's builder reads it: the deprecated top-level ui, ui_dir and
 * ui_content_path are fallbacks; enabled and dir together are an error, since dir
 * already means "serve these assets"; the content path is normalised to /x/.
 */
function uiSettings(raw: RawConfig, dev: boolean): Pick<RuntimeConfig, 'ui' | 'uiDir' | 'uiContentPath'> {
  const ui = (raw.ui_config as RawConfig | undefined) ?? {}
  const enabled = (ui.enabled ?? raw.ui) as boolean | undefined
  const dir = (ui.dir ?? raw.ui_dir) as string | undefined
  if (enabled && dir) {
    throw new ConfigError('Both the ui_config.enabled and ui_config.dir (or -ui and -ui-dir) were specified, please provide only one. ' +
      'Use ui_config.dir (-ui-dir) to serve your own UI assets, or ui_config.enabled (-ui) for the built-in UI')
  }
  const path = String(ui.content_path ?? raw.ui_content_path ?? '/ui/')
  const trimmed = path.replace(/^\/+|\/+$/g, '')
  // The UI shares the HTTP listener with the API: it cannot sit at / or under /v1/.
  if (!trimmed || /^v1(\/|$)/.test(trimmed) || /[?#%\\]|(^|\/)\.\.?(\/|$)/.test(trimmed)) {
    throw new ConfigError(`invalid value for ui_config.content_path: ${JSON.stringify(path)} (a path such as /ui/, not / or under /v1/)`)
  }
  return {ui: Boolean(dir) || (enabled ?? dev), uiDir: dir || undefined, uiContentPath: `/${trimmed}/`}
}

export interface ConfigInput {
  dev: boolean
  configFiles: string[]
  configDirs: string[]
  /** Flag values already translated to Consul config keys; they win over files. */
  flags: RawConfig
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error']

/** Loads, validates and merges every source into a RuntimeConfig. Throws ConfigError. */
export function buildRuntimeConfig(input: ConfigInput): {config: RuntimeConfig; warnings: string[]} {
  const {raw: fileRaw, warnings, paths} = loadSources(input.configFiles, input.configDirs)
  warnings.push(...validateSource(input.flags, 'command line'))
  const raw = mergeConfig(fileRaw, input.flags)
  const get = <T>(key: string, def: T): T => (raw[key] === undefined ? def : (raw[key] as T))
  const sub = (key: string): RawConfig => (raw[key] as RawConfig | undefined) ?? {}
  const ports = sub('ports')
  const limits = sub('limits')
  const dev = input.dev
  const server = get('server', dev)
  const logLevel = String(get('log_level', 'info')).toLowerCase()
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`invalid value for log_level: ${logLevel} (one of ${LOG_LEVELS.join(', ')})`)
  // Consul's default (true) is what dc does: a random node ID, never one derived from the host.
  if (raw.disable_host_node_id === false) warnings.push('disable_host_node_id = false is not implemented by dc: the node ID is random (saved in data_dir/node-id), never derived from the host')
  const dataDir = get<string | undefined>('data_dir', undefined)
  if (!dev && !dataDir) throw new ConfigError('data_dir cannot be empty: pass -data-dir=<path> (or use -dev for an in-memory agent)')
  const bootstrap = get('bootstrap', dev)
  const bootstrapExpect = get('bootstrap_expect', 0)
  if (bootstrap && bootstrapExpect > 0) throw new ConfigError("'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive")
  if ((bootstrap || bootstrapExpect > 0) && !server) throw new ConfigError("'bootstrap' and 'bootstrap_expect' require server mode (-server)")
  const port = (key: string, def: number) => {
    const v = (ports[key] as number | undefined) ?? def
    if (v < -1 || v > 65535) throw new ConfigError(`invalid value for ports.${key}: ${v} (0-65535, or -1 to disable)`)
    return v
  }
  const dur = (key: string, def: string) => durationMs(raw[key] ?? def)
  // go-sockaddr templates ({{ GetPrivateIP }} …) become addresses here, once.
  const addr = (key: string, v: string): string => {
    try {
      return v.split(' ').filter(Boolean).map((x) => resolveAddressTemplate(x)).join(' ')
    } catch (e) {
      if (e instanceof AddressError) throw new ConfigError(`invalid value for ${key}: ${e.message}`)
      throw e
    }
  }
  const datacenter = String(get('datacenter', 'dc1')).toLowerCase()
  if (!/^[a-z0-9_-]+$/.test(datacenter)) throw new ConfigError(`invalid value for datacenter: ${datacenter} (letters, digits, '-' and '_' only)`)
  const config: RuntimeConfig = {
    dev,
    server,
    bootstrap,
    bootstrapExpect,
    datacenter,
    dataDir,
    nodeName: get('node_name', hostname()),
    nodeId: get<string | undefined>('node_id', undefined),
    nodeMeta: get('node_meta', {}),
    bindAddr: addr('bind_addr', get('bind_addr', dev ? '127.0.0.1' : '0.0.0.0')),
    clientAddr: addr('client_addr', get('client_addr', '127.0.0.1')),
    advertiseAddr: addr('advertise_addr', get('advertise_addr', '')),
    ports: {
      http: port('http', 8500),
      https: port('https', -1),
      dns: port('dns', 8600),
      grpc: port('grpc', dev ? 8502 : -1),
      serfLan: port('serf_lan', 8301),
      serfWan: port('serf_wan', 8302),
      server: port('server', 8300),
    },
    logLevel: logLevel as LogLevel,
    logJson: get('log_json', false),
    pidFile: get<string | undefined>('pid_file', undefined),
    retryJoin: [...get<string[]>('start_join', []), ...get<string[]>('retry_join', [])],
    retryJoinWan: [...get<string[]>('start_join_wan', []), ...get<string[]>('retry_join_wan', [])],
    retryIntervalMs: dur('retry_interval', '30s'),
    retryMax: get('retry_max', 0),
    retryIntervalWanMs: dur('retry_interval_wan', '30s'),
    retryMaxWan: get('retry_max_wan', 0),
    advertiseAddrWan: addr('advertise_addr_wan', get('advertise_addr_wan', '')),
    serfLanBind: addr('serf_lan', get('serf_lan', '')),
    serfWanBind: addr('serf_wan', get('serf_wan', '')),
    serfLanAllowedCidrs: cidrs(get<string[]>('serf_lan_allowed_cidrs', []), 'serf_lan_allowed_cidrs'),
    serfWanAllowedCidrs: cidrs(get<string[]>('serf_wan_allowed_cidrs', []), 'serf_wan_allowed_cidrs'),
    encrypt: checkedKey(get<string | undefined>('encrypt', undefined)),
    encryptVerifyIncoming: get('encrypt_verify_incoming', true),
    encryptVerifyOutgoing: get('encrypt_verify_outgoing', true),
    disableKeyringFile: get('disable_keyring_file', false),
    rejoinAfterLeave: get('rejoin_after_leave', false),
    reconnectTimeoutMs: dur('reconnect_timeout', '72h'),
    reconnectTimeoutWanMs: dur('reconnect_timeout_wan', '72h'),
    gossipLan: gossipOverrides(sub('gossip_lan'), 'gossip_lan'),
    gossipWan: gossipOverrides(sub('gossip_wan'), 'gossip_wan'),
    leaveDrainTimeMs: durationMs((sub('performance').leave_drain_time as string | undefined) ?? '5s'),
    rpcHoldTimeoutMs: durationMs((sub('performance').rpc_hold_timeout as string | undefined) ?? '7s'),
    discoveryMaxStaleMs: dur('discovery_max_stale', '0s'),
    translateWanAddrs: get('translate_wan_addrs', false),
    serverRejoinAgeMaxMs: dur('server_rejoin_age_max', '168h'),
    rpcRate: rpcRate(limits.rpc_rate),
    rpcMaxBurst: (limits.rpc_max_burst as number | undefined) ?? 1000,
    rpcMaxConnsPerClient: (limits.rpc_max_conns_per_client as number | undefined) ?? 100,
    ...uiSettings(raw, dev),
    raftSnapshotThreshold: get('raft_snapshot_threshold', 16384),
    raftTrailingLogs: get('raft_trailing_logs', 10240),
    raftSnapshotIntervalMs: dur('raft_snapshot_interval', '30s'),
    raftMultiplier: (sub('performance').raft_multiplier as number | undefined) ?? (dev ? 1 : 5),
    kvMaxValueSize: (limits.kv_max_value_size as number | undefined) ?? 512 * 1024,
    txnMaxReqLen: (limits.txn_max_req_len as number | undefined) ?? 512 * 1024,
    sessionTtlMinMs: dur('session_ttl_min', '10s'),
    defaultQueryTimeMs: dur('default_query_time', '300s'),
    maxQueryTimeMs: dur('max_query_time', '600s'),
    dnsRaw: {domain: raw.domain, alt_domain: raw.alt_domain, recursors: raw.recursors, dns_config: raw.dns_config},
    enableScriptChecks: get('enable_script_checks', false),
    enableLocalScriptChecks: get('enable_local_script_checks', false),
    checkUpdateIntervalMs: dur('check_update_interval', '5m'),
    aeIntervalMs: raw.ae_interval === undefined ? undefined : durationMs(raw.ae_interval),
    checkReapIntervalMs: raw.check_reap_interval === undefined ? undefined : durationMs(raw.check_reap_interval),
    checkDeregisterIntervalMinMs: raw.check_deregister_interval_min === undefined ? undefined : durationMs(raw.check_deregister_interval_min),
    discardCheckOutput: get('discard_check_output', false),
    services: get('services', []),
    checks: get('checks', []),
    syncCoordinateRateTarget: get('sync_coordinate_rate_target', 64),
    syncCoordinateIntervalMinMs: dur('sync_coordinate_interval_min', '15s'),
    plugins: pluginEntries(raw.plugins),
    pluginDir: get<string | undefined>('plugin_dir', undefined),
    replication: parseReplication(raw.replication, datacenter),
    leaveOnTerminate: get('leave_on_terminate', !server),
    skipLeaveOnInterrupt: get('skip_leave_on_interrupt', server),
    sources: paths,
    configFiles: input.configFiles,
    configDirs: input.configDirs,
  }
  if (config.raftSnapshotThreshold < 1) throw new ConfigError('invalid value for raft_snapshot_threshold: must be at least 1')
  if (typeof config.syncCoordinateRateTarget !== 'number' || !(config.syncCoordinateRateTarget > 0)) {
    throw new ConfigError(`invalid value for sync_coordinate_rate_target: ${String(config.syncCoordinateRateTarget)} (a positive number)`)
  }
  if (config.kvMaxValueSize < 1) throw new ConfigError('invalid value for limits.kv_max_value_size: must be positive')
  if (config.rpcMaxBurst < 0) throw new ConfigError('invalid value for limits.rpc_max_burst: must not be negative')
  if (config.rpcMaxConnsPerClient < 0) throw new ConfigError('invalid value for limits.rpc_max_conns_per_client: must not be negative')
  return {config, warnings}
}

/** limits.rpc_rate: a number (or numeric string); negative (Consul's default -1) means no limit. */
function rpcRate(raw: unknown): number {
  if (raw === undefined) return Infinity
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN
  if (Number.isNaN(n)) throw new ConfigError(`invalid value for limits.rpc_rate: ${JSON.stringify(raw)} (a number of RPCs per second)`)
  return n < 0 ? Infinity : n
}

function pluginEntries(raw: unknown): PluginEntry[] {
  try {
    return parsePluginEntries(raw)
  } catch (e) {
    if (e instanceof PluginError) throw new ConfigError(e.message)
    throw e
  }
}

/** -encrypt must be base64 of an AES key; say so at start rather than at the first packet. */
function checkedKey(v: string | undefined): string | undefined {
  if (v === undefined || v === '') return undefined
  const t = v.trim()
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(t) ? Buffer.from(t, 'base64') : undefined
  if (!bytes) throw new ConfigError("invalid value for encrypt: not base64; generate a key with 'dc keygen'")
  if (![16, 24, 32].includes(bytes.length)) throw new ConfigError(`invalid value for encrypt: decodes to ${bytes.length} bytes, a key must be 16, 24 or 32 bytes; generate one with 'dc keygen'`)
  return t
}

function gossipOverrides(r: RawConfig, key: string): GossipOverrides {
  const ms = (k: string) => (r[k] === undefined ? undefined : durationMs(r[k]))
  const int = (k: string) => {
    const v = r[k] as number | undefined
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new ConfigError(`invalid value for ${key}.${k}: must be a positive integer`)
    return v
  }
  return {
    gossipNodes: int('gossip_nodes'),
    gossipIntervalMs: ms('gossip_interval'),
    probeIntervalMs: ms('probe_interval'),
    probeTimeoutMs: ms('probe_timeout'),
    retransmitMult: int('retransmit_mult'),
    suspicionMult: int('suspicion_mult'),
  }
}

function cidrs(list: string[], key: string): string[] {
  for (const c of list) {
    const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(c)
    if (!m || !isIP(m[1]) || Number(m[2]) > (isIP(m[1]) === 4 ? 32 : 128)) throw new ConfigError(`invalid value for ${key}: "${c}" is not a CIDR (e.g. 10.0.0.0/8)`)
  }
  return list
}
