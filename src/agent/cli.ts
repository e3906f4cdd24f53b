import {writeFileSync, rmSync} from 'node:fs'
import {ConfigError} from './config/load.js'
import {flagsToConfig, type AgentFlags} from './config/flags.js'
import {buildRuntimeConfig, type ConfigInput, type RuntimeConfig} from './config/runtime.js'
import {createLogger, createNodeEnv} from './env/node.js'
import type {Logger} from './env/types.js'
import {createAgent} from './index.js'
import {VERSION} from './version.js'

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
  let input: ConfigInput
  try {
    const {raw, notes: n} = flagsToConfig(flags)
    notes = n
    input = {
      dev: Boolean(flags.dev),
      configFiles: (flags['config-file'] as string[] | undefined) ?? [],
      configDirs: (flags['config-dir'] as string[] | undefined) ?? [],
      flags: raw,
    }
    ;({config, warnings} = buildRuntimeConfig(input))
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
    agent = await createAgent(config, env, () => buildRuntimeConfig(input).config)
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
    agent.onLeave(() => void stop('leave request', true))
    // Only now: a supervisor that signals the moment it reads this line must find
    // the handlers in place.
    log.info('Agent started; ready')
  })
}
