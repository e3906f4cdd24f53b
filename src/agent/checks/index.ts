import {createAliasRunner} from './alias.js'
import {createHttpRunner} from './http.js'
import {createScriptRunner} from './script.js'
import {createTcpRunner} from './tcp.js'
import {createTtlRunner} from './ttl.js'
import type {CheckDefinition, CheckRunner, RunnerDeps, TtlRunner} from './types.js'

export type * from './types.js'
export {createNodeProbers} from './probers-node.js'
export {aggregateAlias} from './alias.js'
export {httpStatusToCheck} from './http.js'
export {exitCodeToCheck} from './script.js'

/** One runner per check kind. */
const FACTORIES: Record<CheckDefinition['kind'], (def: CheckDefinition, deps: RunnerDeps) => CheckRunner> = {
  ttl: createTtlRunner,
  http: createHttpRunner,
  tcp: createTcpRunner,
  script: createScriptRunner,
  alias: createAliasRunner,
}

/** Builds (but does not start) the runner for a validated check definition. */
export function createCheckRunner(def: CheckDefinition, deps: RunnerDeps): CheckRunner {
  return FACTORIES[def.kind](def, deps)
}

export function isTtlRunner(r: CheckRunner): r is TtlRunner {
  return typeof (r as Partial<TtlRunner>).setStatus === 'function'
}
