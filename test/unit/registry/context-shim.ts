import type {LocalAgent} from '../../../src/agent/local/index.js'

/**
 * Typecheck shim until the composition root adds `local: LocalAgent` to AgentContext
 * (src/agent/context.ts): the registry handlers read ctx.local. Delete this file once
 * the field exists (identical redeclarations are allowed, so it does no harm before).
 */
declare module '../../../src/agent/context.js' {
  interface AgentContext {
    local: LocalAgent
  }
}
export {}
