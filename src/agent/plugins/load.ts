import {existsSync, readFileSync, statSync} from 'node:fs'
import {dirname, isAbsolute, join, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {PLUGIN_API_VERSION, type AgentPlugin, type PluginEnv} from '../../plugin.js'
import type {PluginEntry} from './entries.js'
import {PluginError} from './errors.js'
import {oneLine, type PluginProvides, type PluginRegistry} from './registry.js'

/** Where a plugin was found: the module to import and what its package.json says. */
export interface ResolvedPlugin {
  name: string
  /** The file imported. */
  path: string
  version: string
}

export interface LoadedPlugin extends ResolvedPlugin {
  plugin: AgentPlugin
  provides: PluginProvides
  config: Record<string, unknown>
}

export interface LoadOptions {
  pluginDir?: string
  /** Relative names and node_modules lookups start here (the agent's working directory). */
  cwd: string
  env: PluginEnv
  /** Optional plugins that fail are reported here; required ones throw. */
  warn(msg: string): void
  /** Builds the environment a plugin's own log lines carry its name in. */
  envFor?(name: string): PluginEnv
}

/** dc's own node_modules: a plugin installed next to dc (npm install -g …) is found too. */
const DC_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/**
 * Finds a plugin by its config name, never by scanning: a path (./x, /x) as given; otherwise
 * <plugin_dir>/<name>, then node_modules/<name> from the working directory upwards, then dc's
 * own node_modules. A folder is a package: its package.json's exports["."] (import or default
 * condition) or main, else index.js.
 */
export function resolvePlugin(name: string, opts: Pick<LoadOptions, 'pluginDir' | 'cwd'>): ResolvedPlugin {
  const candidates: string[] = []
  if (name.startsWith('.') || isAbsolute(name)) candidates.push(resolve(opts.cwd, name))
  else {
    if (opts.pluginDir) candidates.push(resolve(opts.cwd, opts.pluginDir, name), resolve(opts.cwd, opts.pluginDir, 'node_modules', name))
    for (let d = resolve(opts.cwd); ; d = dirname(d)) {
      candidates.push(join(d, 'node_modules', name))
      if (dirname(d) === d) break
    }
    candidates.push(join(DC_ROOT, 'node_modules', name))
  }
  for (const c of candidates) {
    if (!existsSync(c)) continue
    if (statSync(c).isFile()) return {name, path: c, version: ''}
    return packageEntry(name, c)
  }
  const where = opts.pluginDir ? `plugin_dir ${opts.pluginDir} or node_modules` : 'node_modules (or set plugin_dir)'
  throw new PluginError(`plugin ${JSON.stringify(name)} not found in ${where}; install it (npm install ${name}) or fix its name`)
}

function packageEntry(name: string, dir: string): ResolvedPlugin {
  let pkg: {version?: string; main?: string; exports?: unknown} = {}
  const pj = join(dir, 'package.json')
  if (existsSync(pj)) {
    try {
      pkg = JSON.parse(readFileSync(pj, 'utf8'))
    } catch (e) {
      throw new PluginError(`plugin ${JSON.stringify(name)}: ${pj} is not valid JSON (${oneLine(e)})`)
    }
  }
  const entry = exportsEntry(pkg.exports) ?? pkg.main ?? 'index.js'
  const path = resolve(dir, entry)
  if (!existsSync(path)) throw new PluginError(`plugin ${JSON.stringify(name)}: its entry ${path} does not exist; build the plugin (npm run build in ${dir})`)
  return {name, path, version: typeof pkg.version === 'string' ? pkg.version : ''}
}

function exportsEntry(exp: unknown): string | undefined {
  if (typeof exp === 'string') return exp
  if (!exp || typeof exp !== 'object') return undefined
  const dot = (exp as Record<string, unknown>)['.'] ?? exp
  if (typeof dot === 'string') return dot
  if (dot && typeof dot === 'object') {
    const c = dot as Record<string, unknown>
    for (const k of ['import', 'node', 'default']) {
      const v = c[k]
      if (typeof v === 'string') return v
      if (v && typeof v === 'object' && typeof (v as Record<string, unknown>).default === 'string') return (v as Record<string, string>).default
    }
  }
  return undefined
}

/** Imports a resolved plugin and checks its shape and API version. */
export async function importPlugin(r: ResolvedPlugin): Promise<AgentPlugin> {
  let mod: Record<string, unknown>
  try {
    mod = await import(pathToFileURL(r.path).href)
  } catch (e) {
    throw new PluginError(`plugin ${JSON.stringify(r.name)} (${r.path}) failed to load: ${oneLine(e)}; fix or reinstall it, or remove it from plugins`)
  }
  const p = (mod.default ?? mod.plugin) as Partial<AgentPlugin> | undefined
  if (!p || typeof p !== 'object' || typeof p.register !== 'function') {
    throw new PluginError(`plugin ${JSON.stringify(r.name)} (${r.path}) has no default export with a register() function; is it a dc agent plugin?`)
  }
  if (p.apiVersion !== PLUGIN_API_VERSION) {
    throw new PluginError(`plugin ${JSON.stringify(r.name)}${r.version ? `@${r.version}` : ''} is written for plugin API version ${JSON.stringify(p.apiVersion)}, this dc speaks version ${PLUGIN_API_VERSION}; install a release of the plugin for API ${PLUGIN_API_VERSION}`)
  }
  return p as AgentPlugin
}

/**
 * Loads the configured plugins in order into the registry. A required plugin that cannot be
 * found, imported or registered throws one PluginError naming it; an optional one is warned
 * about and left out.
 */
export async function loadPlugins(entries: PluginEntry[], registry: PluginRegistry, opts: LoadOptions): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = []
  for (const e of entries) {
    try {
      const r = resolvePlugin(e.name, opts)
      const plugin = await importPlugin(r)
      const provides = await registry.add(e.name, plugin, Object.freeze({...e.config}), opts.envFor?.(e.name) ?? opts.env)
      loaded.push({...r, plugin, provides, config: e.config})
    } catch (err) {
      const msg = err instanceof PluginError ? err.message : `plugin ${JSON.stringify(e.name)}: ${oneLine(err)}`
      if (!e.optional) throw new PluginError(msg)
      opts.warn(`${msg} (optional: starting without it)`)
    }
  }
  return loaded
}
