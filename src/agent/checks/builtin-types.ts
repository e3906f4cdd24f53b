import type {CheckType, PluginCheckDefinition, PluginEnv} from '../../plugin.js'
import {aliasCheck} from './alias.js'
import {httpCheck} from './http.js'
import {scriptCheck} from './script.js'
import {tcpCheck} from './tcp.js'
import {ttlCheck} from './ttl.js'
import type {BuiltinCheckDefinition, CheckEnv} from './types.js'

/**
 * dc's own check types, in the shape every plugin's check types have. The agent hands them
 * the decoded definition and its probers beside the public view (see CheckEnv); that is
 * their only difference from a plugin's.
 */
function builtin(name: string, interval: CheckType['interval'], make: (def: BuiltinCheckDefinition, env: CheckEnv) => ReturnType<CheckType['create']>): CheckType {
  return {name, interval, create: (def: PluginCheckDefinition, env: PluginEnv) => make(def as BuiltinCheckDefinition, env as CheckEnv)}
}

export const BUILTIN_CHECK_TYPES: CheckType[] = [
  builtin('alias', 'none', (d, env) => aliasCheck(d.definition, env.alias, env.nodeName, env.timers)),
  builtin('http', 'required', (d, env) => httpCheck(d.definition, env.probers)),
  builtin('script', 'required', (d, env) => scriptCheck(d.definition, env.probers)),
  builtin('tcp', 'required', (d, env) => tcpCheck(d.definition, env.probers)),
  builtin('ttl', 'none', (d, env) => ttlCheck(d.definition, env.timers, env.internalLog)),
]
