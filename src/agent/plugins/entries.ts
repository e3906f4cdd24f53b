import {PluginError} from './errors.js'

/** One `plugins` entry of the agent config. */
export interface PluginEntry {
  /** A package name (looked up in plugin_dir, then node_modules) or a path to a plugin folder or file. */
  name: string
  config: Record<string, unknown>
  /** A plugin that cannot be loaded is a warning, not a failed start. */
  optional: boolean
}

const KEYS = new Set(['name', 'config', 'optional'])

/** Validates the raw `plugins` list; each problem is one PluginError naming the entry. */
export function parsePluginEntries(raw: unknown): PluginEntry[] {
  if (raw === undefined) return []
  if (!Array.isArray(raw)) throw new PluginError(`plugins must be a list of {"name": …, "config": {…}, "optional": false} entries`)
  return raw.map((e, i) => {
    const at = `plugins[${i}]`
    if (typeof e === 'string') return {name: checkedName(e, at), config: {}, optional: false}
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw new PluginError(`${at}: expected an object such as {"name": "dc-plugin-x"}, got ${JSON.stringify(e)}`)
    const o = e as Record<string, unknown>
    for (const k of Object.keys(o)) if (!KEYS.has(k)) throw new PluginError(`${at}: unknown key ${JSON.stringify(k)} (a plugin entry has name, config and optional)`)
    if (typeof o.name !== 'string') throw new PluginError(`${at}.name: expected the plugin's package name or path, got ${JSON.stringify(o.name)}`)
    const name = checkedName(o.name, at)
    if (o.config !== undefined && (!o.config || typeof o.config !== 'object' || Array.isArray(o.config))) {
      throw new PluginError(`${at}.config (plugin ${JSON.stringify(name)}): expected an object, got ${JSON.stringify(o.config)}`)
    }
    if (o.optional !== undefined && typeof o.optional !== 'boolean') throw new PluginError(`${at}.optional (plugin ${JSON.stringify(name)}): expected true or false, got ${JSON.stringify(o.optional)}`)
    return {name, config: (o.config as Record<string, unknown> | undefined) ?? {}, optional: o.optional === true}
  })
}

function checkedName(name: string, at: string): string {
  const n = name.trim()
  if (!n) throw new PluginError(`${at}.name is empty`)
  return n
}
