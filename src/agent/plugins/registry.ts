import {PLUGIN_API_VERSION, type AgentPlugin, type CheckType, type EventHandler, type JoinProvider, type PluginApi, type PluginEnv} from '../../plugin.js'
import {PluginError} from './errors.js'

/** Names of check types and providers: what a config file can spell without quoting trouble. */
const NAME = /^[a-z][a-z0-9_-]*$/

interface Owned<T> {
  value: T
  /** The plugin that registered it ('builtin' for dc's own). */
  plugin: string
}

/** What one plugin registered, for `dc agent` start-up lines and reconfiguration. */
export interface PluginProvides {
  checkTypes: string[]
  joinProviders: string[]
  eventHandlers: number
}

/**
 * Every check type, join provider and event handler the agent knows, each with the plugin
 * that registered it. dc's own check types and providers arrive through `add` like any
 * plugin's (see builtin.ts). Two plugins registering one name are refused with both named.
 */
export class PluginRegistry {
  private readonly checkTypes = new Map<string, Owned<CheckType>>()
  private readonly providers = new Map<string, Owned<JoinProvider>>()
  private readonly handlers: Owned<EventHandler>[] = []
  private readonly provides = new Map<string, PluginProvides>()

  /**
   * Calls plugin.register and keeps what it registered. All or nothing: a plugin that throws,
   * or registers a taken or malformed name, leaves the registry as it was.
   */
  async add(pluginName: string, plugin: AgentPlugin, config: Readonly<Record<string, unknown>>, env: PluginEnv): Promise<PluginProvides> {
    const {api, commit} = this.stage(pluginName, config, env)
    try {
      await plugin.register(api)
    } catch (e) {
      throw registerError(pluginName, e)
    }
    return commit()
  }

  /** `add` for dc's own plugin, whose register is synchronous (the registry is needed before anything is awaited). */
  addSync(pluginName: string, plugin: AgentPlugin, env: PluginEnv): PluginProvides {
    const {api, commit} = this.stage(pluginName, {}, env)
    let r: unknown
    try {
      r = plugin.register(api)
    } catch (e) {
      throw registerError(pluginName, e)
    }
    if (r instanceof Promise) throw new PluginError(`plugin ${JSON.stringify(pluginName)} registers asynchronously; load it with add()`)
    return commit()
  }

  private stage(pluginName: string, config: Readonly<Record<string, unknown>>, env: PluginEnv): {api: PluginApi; commit: () => PluginProvides} {
    if (this.provides.has(pluginName)) throw new PluginError(`plugin ${JSON.stringify(pluginName)} is listed twice; remove one entry`)
    const staged = {checkTypes: [] as CheckType[], providers: [] as JoinProvider[], handlers: [] as EventHandler[]}
    let done = false
    const open = () => {
      // A plugin that keeps the api and registers later would bypass the conflict checks.
      if (done) throw new PluginError(`plugin ${JSON.stringify(pluginName)} registered after its register() returned; register everything inside register()`)
    }
    const taken = (kind: string, name: string, map: Map<string, Owned<unknown>>, list: {name: string}[]) => {
      if (typeof name !== 'string' || !NAME.test(name)) throw new PluginError(`plugin ${JSON.stringify(pluginName)} registered a ${kind} named ${JSON.stringify(name)}; names are lower-case letters, digits, '-' and '_'`)
      const owner = map.get(name)?.plugin ?? (list.some((x) => x.name === name) ? pluginName : undefined)
      if (owner !== undefined) throw new PluginError(`${kind} ${JSON.stringify(name)} is registered by both plugin ${JSON.stringify(owner)} and plugin ${JSON.stringify(pluginName)}; remove one of them from plugins`)
    }
    const api: PluginApi = {
      apiVersion: PLUGIN_API_VERSION,
      config,
      env,
      checkType: (t) => {
        open()
        if (typeof t?.create !== 'function') throw new PluginError(`plugin ${JSON.stringify(pluginName)} registered check type ${JSON.stringify(t?.name)} without a create function`)
        taken('check type', t.name, this.checkTypes, staged.checkTypes)
        staged.checkTypes.push(t)
      },
      joinProvider: (p) => {
        open()
        if (typeof p?.discover !== 'function') throw new PluginError(`plugin ${JSON.stringify(pluginName)} registered join provider ${JSON.stringify(p?.name)} without a discover function`)
        taken('join provider', p.name, this.providers, staged.providers)
        staged.providers.push(p)
      },
      onEvent: (h) => {
        open()
        if (typeof h !== 'function') throw new PluginError(`plugin ${JSON.stringify(pluginName)} registered an event handler that is not a function`)
        staged.handlers.push(h)
      },
    }
    const commit = (): PluginProvides => {
      done = true
      for (const t of staged.checkTypes) this.checkTypes.set(t.name, {value: t, plugin: pluginName})
      for (const p of staged.providers) this.providers.set(p.name, {value: p, plugin: pluginName})
      for (const h of staged.handlers) this.handlers.push({value: h, plugin: pluginName})
      const provides = {checkTypes: staged.checkTypes.map((t) => t.name), joinProviders: staged.providers.map((p) => p.name), eventHandlers: staged.handlers.length}
      this.provides.set(pluginName, provides)
      return provides
    }
    return {api, commit}
  }

  checkType(name: string): {type: CheckType; plugin: string} | undefined {
    const o = this.checkTypes.get(name)
    return o && {type: o.value, plugin: o.plugin}
  }

  joinProvider(name: string): {provider: JoinProvider; plugin: string} | undefined {
    const o = this.providers.get(name)
    return o && {provider: o.value, plugin: o.plugin}
  }

  eventHandlers(): {handler: EventHandler; plugin: string}[] {
    return this.handlers.map((h) => ({handler: h.value, plugin: h.plugin}))
  }

  checkTypeNames(): string[] {
    return [...this.checkTypes.keys()].sort()
  }

  joinProviderNames(): string[] {
    return [...this.providers.keys()].sort()
  }

  /** What each plugin registered, in registration order. */
  plugins(): [string, PluginProvides][] {
    return [...this.provides]
  }
}

function registerError(pluginName: string, e: unknown): PluginError {
  if (e instanceof PluginError) return e
  return new PluginError(`plugin ${JSON.stringify(pluginName)} failed while registering: ${oneLine(e)}; fix its config or remove it from plugins`)
}

/** An error as one log line: plugins throw anything. */
export function oneLine(e: unknown): string {
  const s = e instanceof Error ? e.message : typeof e === 'string' ? e : safeJson(e)
  return s.replace(/\s*\n\s*/g, ' ').slice(0, 500) || 'unknown error'
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return String(v)
  }
}
