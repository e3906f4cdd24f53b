import {PluginRegistry} from '../plugins/registry.js'
import {BUILTIN_PLUGIN_NAME, builtinPlugin} from '../plugins/builtin.js'
import {createContainedRunner} from './contained.js'
import {PLUGIN_KIND_FIELDS} from '../services/check.js'
import type {CheckDefinition, CheckRunner, CheckTypeLookup, RunnerDeps, TtlRunner} from './types.js'

export type * from './types.js'
export {createNodeProbers} from './probers-node.js'
export {aggregateAlias} from './alias.js'
export {httpStatusToCheck} from './http.js'
export {exitCodeToCheck} from './script.js'
export {BUILTIN_CHECK_TYPES} from './builtin-types.js'
export {pluginCheckView} from './contained.js'

let builtinTypes: CheckTypeLookup | undefined

/** A registry of dc's own plugin only (for runners built without an agent's registry). */
export function builtinCheckTypes(): CheckTypeLookup {
  if (!builtinTypes) {
    const r = new PluginRegistry()
    const noop = () => {}
    const log = {debug: noop, info: noop, warn: noop, error: noop}
    r.addSync(BUILTIN_PLUGIN_NAME, builtinPlugin, {
      nowMs: () => 0, wallMs: () => 0, after: () => ({cancel: noop}), log, nodeName: '', datacenter: '',
    })
    builtinTypes = r
  }
  return builtinTypes
}

/** The type name a definition runs under: its built-in kind, or the plugin type it names. */
export function checkTypeName(def: CheckDefinition): string {
  return def.kind === 'plugin' ? def.pluginType : def.kind
}

/**
 * Builds (but does not start) the runner for a validated check definition. The type must be
 * registered (LocalAgent refuses definitions of unknown types with a 400 first).
 */
export function createCheckRunner(def: CheckDefinition, deps: RunnerDeps): CheckRunner {
  const types = deps.types ?? builtinCheckTypes()
  const found = types.checkType(checkTypeName(def))
  if (!found) throw new Error(`no check type ${JSON.stringify(checkTypeName(def))} is registered`)
  return createContainedRunner(def, deps, found.type, found.plugin)
}

export function isTtlRunner(r: CheckRunner): r is TtlRunner {
  return typeof (r as Partial<TtlRunner>).setStatus === 'function'
}

/** The 400 for a definition of a type nobody registered: names the type, the way to get it, and what exists. */
export function unknownCheckTypeMessage(type: string, known: string[]): string {
  const field = PLUGIN_KIND_FIELDS.find(([, t]) => t === type)?.[0]
  const what = field ? `${type} checks (field ${field}) are not built in to dc, and no loaded plugin provides check type ${JSON.stringify(type)}` : `unknown check type ${JSON.stringify(type)}: no loaded plugin provides it`
  return `Invalid check: ${what}; add a plugin that registers it to "plugins" in the agent config (see docs/plugins.md). Known check types: ${known.join(', ')}`
}
