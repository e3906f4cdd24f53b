import {PLUGIN_API_VERSION, type PluginEnv, type PluginUserEvent} from '../../plugin.js'
import type {Env, Logger} from '../env/types.js'
import {BUILTIN_PLUGIN_NAME, builtinPlugin} from './builtin.js'
import type {PluginEntry} from './entries.js'
import {loadPlugins, type LoadedPlugin} from './load.js'
import {oneLine, PluginRegistry} from './registry.js'

export interface PluginHostOptions {
  entries: PluginEntry[]
  pluginDir?: string
  cwd?: string
  env: Env
  log: Logger
  nodeName: string
  datacenter: string
}

/**
 * The agent's plugins at run time: the registry (dc's own plugin first, then the configured
 * ones), their start-up lines, user-event delivery, reconfiguration on reload and close.
 */
export class PluginHost {
  readonly registry = new PluginRegistry()
  private loaded: LoadedPlugin[] = []

  private constructor(private readonly o: PluginHostOptions) {}

  /** Loads every configured plugin; throws PluginError (one line) for a required one that fails. */
  static async start(o: PluginHostOptions): Promise<PluginHost> {
    const host = new PluginHost(o)
    host.registry.addSync(BUILTIN_PLUGIN_NAME, builtinPlugin, host.envFor(BUILTIN_PLUGIN_NAME))
    host.loaded = await loadPlugins(o.entries, host.registry, {
      pluginDir: o.pluginDir,
      cwd: o.cwd ?? process.cwd(),
      env: host.envFor('?'),
      envFor: (name) => host.envFor(name),
      warn: (m) => o.log.warn(m),
    })
    for (const p of host.loaded) {
      // Plugin code runs with the agent's privileges: say exactly which file that is.
      o.log.info('plugin loaded', {plugin: p.name, version: p.version || '(none)', path: p.path, check_types: p.provides.checkTypes.join(',') || '-', join_providers: p.provides.joinProviders.join(',') || '-', event_handlers: p.provides.eventHandlers})
    }
    return host
  }

  /** The environment a plugin's code gets: the agent's clock and timers, a logger carrying its name. */
  envFor(name: string): PluginEnv {
    const {env, log} = this.o
    const l = name === BUILTIN_PLUGIN_NAME ? log : log.named(`plugin.${name}`)
    return {
      nowMs: () => env.clock.nowMs(),
      wallMs: () => env.clock.wallMs(),
      after: (ms, fn) => env.timers.after(ms, fn),
      log: l,
      nodeName: this.o.nodeName,
      datacenter: this.o.datacenter,
    }
  }

  /** What `dc info` shows under `plugins:`: one line per loaded plugin plus what is registered. */
  stats(): Record<string, string> {
    const out: Record<string, string> = {
      api_version: String(PLUGIN_API_VERSION),
      check_types: this.registry.checkTypeNames().join(','),
      join_providers: this.registry.joinProviderNames().join(','),
    }
    for (const p of this.loaded) {
      out[`plugin.${p.name}`] = `version=${p.version || '-'} path=${p.path} check_types=${p.provides.checkTypes.join(',') || '-'} join_providers=${p.provides.joinProviders.join(',') || '-'} event_handlers=${p.provides.eventHandlers}`
    }
    return out
  }

  plugins(): readonly LoadedPlugin[] {
    return this.loaded
  }

  /** Hands a user event to every handler; a handler's failure is logged and goes no further. */
  deliverEvent(ev: PluginUserEvent): void {
    for (const {handler, plugin} of this.registry.eventHandlers()) {
      void (async () => handler(ev, this.envFor(plugin)))().catch((e) => this.o.log.warn('plugin event handler failed', {plugin, event: ev.name, error: oneLine(e)}))
    }
  }

  /**
   * A reload: plugins whose `config` changed get reconfigure(config) and the names of their
   * check types are returned, so the agent rebuilds those checks. Adding or removing plugins
   * (or a changed config of a plugin without reconfigure) needs a restart; said in the log.
   */
  async reload(entries: PluginEntry[]): Promise<string[]> {
    const rebuilt: string[] = []
    const now = new Map(this.loaded.map((p) => [p.name, p]))
    const next = new Set(entries.map((e) => e.name))
    for (const e of entries) if (!now.has(e.name) && !e.optional) this.o.log.warn(`plugin ${JSON.stringify(e.name)} was added to the config; plugins are loaded at start: restart the agent to load it`)
    for (const p of this.loaded) if (!next.has(p.name)) this.o.log.warn(`plugin ${JSON.stringify(p.name)} was removed from the config; it stays loaded until the agent restarts`)
    for (const e of entries) {
      const p = now.get(e.name)
      if (!p || JSON.stringify(p.config) === JSON.stringify(e.config)) continue
      if (typeof p.plugin.reconfigure !== 'function') {
        this.o.log.warn(`plugin ${JSON.stringify(p.name)} cannot change its config while running; restart the agent to apply it`)
        continue
      }
      try {
        await p.plugin.reconfigure(Object.freeze({...e.config}))
        p.config = e.config
        rebuilt.push(...p.provides.checkTypes)
        this.o.log.info('plugin reconfigured', {plugin: p.name})
      } catch (err) {
        this.o.log.error(`plugin ${JSON.stringify(p.name)} refused its new config, keeping the old one: ${oneLine(err)}`)
      }
    }
    return rebuilt
  }

  async close(): Promise<void> {
    for (const p of [...this.loaded].reverse()) {
      try {
        await p.plugin.close?.()
      } catch (e) {
        this.o.log.warn('plugin close failed', {plugin: p.name, error: oneLine(e)})
      }
    }
  }
}
