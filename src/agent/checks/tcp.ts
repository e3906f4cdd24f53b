import {IntervalRunner} from './interval.js'
import type {CheckDefinition, CheckRunner, RunnerDeps} from './types.js'

export const DEFAULT_TCP_TIMEOUT_MS = 10_000

/** TCP check: passing once a connection is established ("TCP connect <addr>: Success"). */
export function createTcpRunner(def: CheckDefinition, deps: RunnerDeps): CheckRunner {
  const timeoutMs = def.timeoutMs || DEFAULT_TCP_TIMEOUT_MS
  return new IntervalRunner(
    def,
    deps,
    timeoutMs,
    async (signal) => {
      try {
        await deps.probers.tcp(def.tcp, timeoutMs, signal)
      } catch (e) {
        throw new Error(`dial tcp ${def.tcp}: ${(e as Error).message}`)
      }
      return {status: 'passing', output: `TCP connect ${def.tcp}: Success`}
    },
    () => `dial tcp ${def.tcp}: i/o timeout`,
  )
}
