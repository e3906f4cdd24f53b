import {LocalAgent, type LocalAgentDeps} from './agent.js'

export {LocalAgent, defaultNodeInfo, type LocalAgentDeps, type RegistryConfig} from './agent.js'
export {LocalError} from './errors.js'
export type {NodeInfo} from './sync.js'
export type {LocalPersistence} from './persist.js'
export {filePersistence, memoryPersistence} from './persist.js'

/**
 * Builds the agent's local registry (services, checks, anti-entropy). The composition
 * root creates it once, calls start() after Raft is up, stop() on shutdown and
 * reload(config) on SIGHUP / PUT /v1/agent/reload; handlers reach it as ctx.local.
 */
export function createLocalAgent(deps: LocalAgentDeps): LocalAgent {
  return new LocalAgent(deps)
}
