import type {PolledCheck} from '../../plugin.js'
import type {CheckDefinition, Probers} from './types.js'

export const DEFAULT_TCP_TIMEOUT_MS = 10_000

/** TCP check: passing once a connection is established ("TCP connect <addr>: Success"). */
export function tcpCheck(def: CheckDefinition, probers: Probers): PolledCheck {
  const timeoutMs = def.timeoutMs || DEFAULT_TCP_TIMEOUT_MS
  return {
    timeoutMs,
    async check(signal) {
      try {
        await probers.tcp(def.tcp, timeoutMs, signal)
      } catch (e) {
        throw new Error(`dial tcp ${def.tcp}: ${(e as Error).message}`)
      }
      return {status: 'passing', output: `TCP connect ${def.tcp}: Success`}
    },
    timeoutOutput: `dial tcp ${def.tcp}: i/o timeout`,
  }
}
