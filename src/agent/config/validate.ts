import {statSync} from 'node:fs'
import {createNodeEnv, createLogger} from '../env/node.js'
import {isProviderEntry, parseProviderEntry} from '../join/entry.js'
import {PluginError} from '../plugins/errors.js'
import {PluginHost} from '../plugins/host.js'
import {LocalError} from '../local/errors.js'
import {createLocalAgent} from '../local/index.js'
import {DefinitionError} from '../services/errors.js'
import {ConfigError} from './load.js'
import {buildRuntimeConfig} from './runtime.js'

export interface ValidateResult {
  ok: boolean
  /** One line per problem (only the first stops validation, as Consul's validate). */
  error?: string
  warnings: string[]
  /** "name@version (path): check types …" per loaded plugin. */
  plugins: string[]
}

/**
 * `dc validate <files or dirs>`: everything `dc agent` checks before it listens, without
 * listening — the config keys and values, the plugins (found, importable, of this API
 * version, registering without conflicts: this runs their register()), service and check
 * definitions against the check types those plugins add, and the providers of
 * `provider=` join entries.
 */
export async function validateConfigPaths(paths: string[]): Promise<ValidateResult> {
  const warnings: string[] = []
  const files: string[] = []
  const dirs: string[] = []
  for (const p of paths) {
    try {
      ;(statSync(p).isDirectory() ? dirs : files).push(p)
    } catch (e) {
      return {ok: false, error: `Error reading ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, warnings, plugins: []}
    }
  }
  const log = createLogger({level: 'error', json: false})
  try {
    const {config, warnings: w} = buildRuntimeConfig({dev: false, configFiles: files, configDirs: dirs, flags: {}})
    warnings.push(...w)
    const env = createNodeEnv(log)
    const host = await PluginHost.start({entries: config.plugins, pluginDir: config.pluginDir, env, log, nodeName: config.nodeName, datacenter: config.datacenter})
    try {
      for (const entry of [...config.retryJoin, ...config.retryJoinWan]) {
        if (!isProviderEntry(entry)) continue
        const {provider} = parseProviderEntry(entry)
        if (!host.registry.joinProvider(provider)) {
          throw new PluginError(`retry_join entry ${JSON.stringify(entry)}: unknown join provider ${JSON.stringify(provider)}; known: ${host.registry.joinProviderNames().join(', ')}`)
        }
      }
      // The local agent's own checks on definitions (script checks allowed? types known?), without starting it.
      const local = createLocalAgent({config, env, log, nodeId: '00000000-0000-0000-0000-000000000000', nodeAddress: '127.0.0.1', types: host.registry,
        rpc: () => Promise.reject(new Error('validate sends nothing'))})
      local.loadFromConfig()
      await local.stop()
      const plugins = host.plugins().map((p) => `${p.name}${p.version ? `@${p.version}` : ''} (${p.path}): check types ${p.provides.checkTypes.join(', ') || '-'}; join providers ${p.provides.joinProviders.join(', ') || '-'}`)
      return {ok: true, warnings, plugins}
    } finally {
      await host.close()
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof PluginError || e instanceof DefinitionError || e instanceof LocalError) return {ok: false, error: e.message, warnings, plugins: []}
    throw e
  }
}
