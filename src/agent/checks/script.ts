import {formatDuration} from '../config/duration.js'
import type {PolledCheck} from '../../plugin.js'
import type {CheckDefinition, CheckStatus, Probers} from './types.js'

export const DEFAULT_SCRIPT_TIMEOUT_MS = 30_000

/** Nagios convention, as Consul: exit 0 passing, 1 warning, anything else critical. */
export function exitCodeToCheck(code: number): CheckStatus {
  if (code === 0) return 'passing'
  if (code === 1) return 'warning'
  return 'critical'
}

/** Script check (`args`, no shell). Only created when script checks are enabled. */
export function scriptCheck(def: CheckDefinition, probers: Probers): PolledCheck {
  const timeoutMs = def.timeoutMs || DEFAULT_SCRIPT_TIMEOUT_MS
  const timedOut = `Timed out (${formatDuration(timeoutMs)}) running check`
  return {
    // The prober enforces the timeout itself (killing the process); the agent's own
    // deadline comes a little later, only for a prober that failed to settle.
    timeoutMs: timeoutMs + 1000,
    async check(signal) {
      const r = await probers.script(def.scriptArgs, timeoutMs, def.outputMaxSize, signal)
      if (r.timedOut) return {status: 'critical', output: timedOut}
      return {status: exitCodeToCheck(r.exitCode), output: r.output}
    },
    timeoutOutput: timedOut,
  }
}
