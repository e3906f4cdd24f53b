import {writeFileSync, rmSync} from 'node:fs'
import {ConfigError, type RawConfig} from './config/load.js'
import {buildRuntimeConfig, type RuntimeConfig} from './config/runtime.js'
import {createLogger, createNodeEnv} from './env/node.js'
import type {Logger} from './env/types.js'
import {createAgent} from './index.js'
import {VERSION} from './version.js'

type AgentFlags = Record<string, unknown>

/** Consul flag name → config key (flags win over files). */
const SCALARS: Record<string, string> = {
  'bootstrap-expect': 'bootstrap_expect', 'data-dir': 'data_dir', node: 'node_name', 'node-id': 'node_id',
  datacenter: 'datacenter', client: 'client_addr', bind: 'bind_addr', advertise: 'advertise_addr',
  'advertise-wan': 'advertise_addr_wan', 'log-level': 'log_level', 'pid-file': 'pid_file',
  'retry-interval': 'retry_interval', 'retry-max': 'retry_max', encrypt: 'encrypt', domain: 'domain',
  'alt-domain': 'alt_domain', 'default-query-time': 'default_query_time', 'max-query-time': 'max_query_time',
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
  hcl: 'HCL fragments', 'log-file': 'log files', syslog: 'syslog', 'ui-dir': 'a custom UI directory',
  'raft-protocol': 'raft protocol selection', protocol: 'gossip protocol selection',
  'serf-lan-bind': 'a separate LAN gossip bind', 'serf-wan-bind': 'a separate WAN gossip bind',
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
  const wan = [...list('join-wan'), ...list('retry-join-wan')]
  if (wan.length) raw.retry_join_wan = wan
  if (list('recursor').length) raw.recursors = list('recursor')
  if (list('node-meta').length) {
    const meta: Record<string, string> = {}
    for (const kv of list('node-meta')) {
      const i = kv.indexOf(':')
      if (i <= 0) throw new ConfigError(`invalid -node-meta "${kv}": expected key:value`)
      meta[kv.slice(0, i)] = kv.slice(i + 1)
    }
    raw.node_meta = meta
  }
  if (flags['ui-content-path'] !== undefined) raw.ui_config = {content_path: flags['ui-content-path']}
  for (const [flag, what] of Object.entries(NOT_YET)) {
    const v = flags[flag]
    if (v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)) notes.push(`-${flag} accepted, but ${what} is not implemented by dc yet`)
  }
  return {raw, notes}
}

function banner(c: RuntimeConfig, nodeId: string, log: (s: string) => void) {
  const row = (k: string, v: string) => log(`${k.padStart(22)}: ${v}`)
  log('==> Starting dc agent...')
  row('Version', `'${VERSION}'`)
  row('Node ID', `'${nodeId}'`)
  row('Node name', `'${c.nodeName}'`)
  row('Datacenter', `'${c.datacenter}' (Segment: '${c.server ? '<all>' : ''}')`)
  row('Server', `${c.server} (Bootstrap: ${c.bootstrap || c.bootstrapExpect === 1})`)
  row('Client Addr', `[${c.clientAddr}] (HTTP: ${c.ports.http}, HTTPS: ${c.ports.https}, gRPC: ${c.ports.grpc}, DNS: ${c.ports.dns})`)
  row('Cluster Addr', `${c.bindAddr} (LAN: ${c.ports.serfLan}, WAN: ${c.ports.serfWan})`)
  row('Data Dir', c.dataDir ? `'${c.dataDir}'` : '(in memory)')
  row('Gossip Encryption', String(Boolean(c.encrypt)))
  row('ACL Enabled', 'false')
  log('')
  log('==> Log data will now stream in as it occurs:')
  log('')
}

/** Runs the agent until a signal or /v1/agent/leave; returns the process exit code. */
export async function runAgentCommand(flags: AgentFlags): Promise<number> {
  const err = (s: string) => process.stderr.write(s + '\n')
  let config: RuntimeConfig
  let warnings: string[]
  let notes: string[]
  try {
    const {raw, notes: n} = flagsToConfig(flags)
    notes = n
    ;({config, warnings} = buildRuntimeConfig({
      dev: Boolean(flags.dev),
      configFiles: (flags['config-file'] as string[] | undefined) ?? [],
      configDirs: (flags['config-dir'] as string[] | undefined) ?? [],
      flags: raw,
    }))
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`==> ${e.message}`)
      return 1
    }
    throw e
  }
  const log: Logger = createLogger({level: config.logLevel, json: config.logJson})
  const env = createNodeEnv(log)
  let agent: Awaited<ReturnType<typeof createAgent>>
  try {
    agent = await createAgent(config, env)
  } catch (e) {
    err(`==> Error starting agent: ${(e as Error).message}`)
    return 1
  }
  if (!config.logJson) banner(config, agent.nodeId, (s) => process.stdout.write(s + '\n'))
  for (const w of warnings) log.warn(w)
  for (const n of notes) log.warn(n)
  try {
    await agent.start()
  } catch (e) {
    err(`==> Error starting agent: ${(e as Error).message}`)
    await agent.shutdown().catch(() => {})
    return 1
  }
  if (config.pidFile) writeFileSync(config.pidFile, `${process.pid}`, {mode: 0o600})
  log.info('Agent started; ready')

  return await new Promise<number>((resolve) => {
    let stopping = false
    const stop = async (why: string, leave: boolean) => {
      if (stopping) {
        log.warn('Second signal received, exiting immediately')
        process.exit(1)
      }
      stopping = true
      log.info(`Caught ${why}, shutting down`)
      try {
        if (leave) await agent.leave()
        await agent.shutdown()
      } catch (e) {
        log.error('error during shutdown', {error: String(e)})
      }
      if (config.pidFile) rmSync(config.pidFile, {force: true})
      resolve(0)
    }
    process.on('SIGINT', () => void stop('signal: interrupt', !config.skipLeaveOnInterrupt))
    process.on('SIGTERM', () => void stop('signal: terminated', config.leaveOnTerminate))
    process.on('SIGHUP', () => void agent.reload().catch((e) => log.error('reload failed', {error: String(e)})))
    agent.onLeave(() => void stop('leave request', false))
  })
}
