import {ConfigError, type RawConfig} from './load.js'

export type AgentFlags = Record<string, unknown>

/** Consul flag name → config key (flags win over files). */
const SCALARS: Record<string, string> = {
  'bootstrap-expect': 'bootstrap_expect', 'data-dir': 'data_dir', node: 'node_name', 'node-id': 'node_id',
  datacenter: 'datacenter', client: 'client_addr', bind: 'bind_addr', advertise: 'advertise_addr',
  'advertise-wan': 'advertise_addr_wan', 'log-level': 'log_level', 'pid-file': 'pid_file',
  'retry-interval': 'retry_interval', 'retry-max': 'retry_max', encrypt: 'encrypt', domain: 'domain',
  'alt-domain': 'alt_domain', 'default-query-time': 'default_query_time', 'max-query-time': 'max_query_time',
  'serf-lan-bind': 'serf_lan', 'serf-wan-bind': 'serf_wan', 'retry-interval-wan': 'retry_interval_wan', 'retry-max-wan': 'retry_max_wan',
}
const BOOLS: Record<string, string> = {
  server: 'server', bootstrap: 'bootstrap', 'log-json': 'log_json', ui: 'ui',
  'enable-script-checks': 'enable_script_checks', 'enable-local-script-checks': 'enable_local_script_checks',
  rejoin: 'rejoin_after_leave',
}
const PORTS: Record<string, string> = {
  'http-port': 'http', 'https-port': 'https', 'dns-port': 'dns', 'grpc-port': 'grpc', 'grpc-tls-port': 'grpc_tls',
  'serf-lan-port': 'serf_lan', 'serf-wan-port': 'serf_wan', 'server-port': 'server',
}
/** Accepted for compatibility; the subsystem is not built yet, so say so in the log. */
const NOT_YET: Record<string, string> = {
  hcl: 'HCL fragments', 'log-file': 'log files', syslog: 'syslog',
  'raft-protocol': 'raft protocol selection', protocol: 'gossip protocol selection',
}

export function flagsToConfig(flags: AgentFlags): {raw: RawConfig; notes: string[]} {
  const raw: RawConfig = {}
  const notes: string[] = []
  for (const [flag, key] of Object.entries(SCALARS)) if (flags[flag] !== undefined) raw[key] = flags[flag]
  for (const [flag, key] of Object.entries(BOOLS)) if (flags[flag]) raw[key] = true
  const ports: RawConfig = {}
  for (const [flag, key] of Object.entries(PORTS)) if (flags[flag] !== undefined) ports[key] = flags[flag]
  if (Object.keys(ports).length) raw.ports = ports
  const list = (f: string) => (flags[f] as string[] | undefined) ?? []
  if (list('join').length) raw.start_join = list('join')
  if (list('retry-join').length) raw.retry_join = list('retry-join')
  if (list('join-wan').length) raw.start_join_wan = list('join-wan')
  if (list('retry-join-wan').length) raw.retry_join_wan = list('retry-join-wan')
  if (list('recursor').length) raw.recursors = list('recursor')
  if (list('serf-lan-allowed-cidrs').length) raw.serf_lan_allowed_cidrs = list('serf-lan-allowed-cidrs')
  if (list('serf-wan-allowed-cidrs').length) raw.serf_wan_allowed_cidrs = list('serf-wan-allowed-cidrs')
  if (list('node-meta').length) {
    const meta: Record<string, string> = {}
    for (const kv of list('node-meta')) {
      const i = kv.indexOf(':')
      if (i <= 0) throw new ConfigError(`invalid -node-meta "${kv}": expected key:value`)
      meta[kv.slice(0, i)] = kv.slice(i + 1)
    }
    raw.node_meta = meta
  }
  const uiConfig: RawConfig = {}
  if (flags['ui-dir'] !== undefined) uiConfig.dir = flags['ui-dir']
  if (flags['ui-content-path'] !== undefined) uiConfig.content_path = flags['ui-content-path']
  if (Object.keys(uiConfig).length) raw.ui_config = uiConfig
  for (const [flag, what] of Object.entries(NOT_YET)) {
    const v = flags[flag]
    if (v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)) notes.push(`-${flag} accepted, but ${what} is not implemented by dc yet`)
  }
  return {raw, notes}
}
