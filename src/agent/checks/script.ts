import {formatDuration} from '../config/duration.js'
import {IntervalRunner} from './interval.js'
import type {CheckDefinition, CheckRunner, CheckStatus, RunnerDeps} from './types.js'

export const DEFAULT_SCRIPT_TIMEOUT_MS = 30_000

/** Nagios convention, as Consul: exit 0 passing, 1 warning, anything else critical. */
export function exitCodeToCheck(code: number): CheckStatus {
  if (code === 0) return 'passing'
  if (code === 1) return 'warning'
  return 'critical'
}

/** Script check (`args`, no shell). Only created when script checks are enabled. */
export function createScriptRunner(def: CheckDefinition, deps: RunnerDeps): CheckRunner {
  const timeoutMs = def.timeoutMs || DEFAULT_SCRIPT_TIMEOUT_MS
  const timedOut = `Timed out (${formatDuration(timeoutMs)}) running check`
  // The prober enforces the timeout itself (killing the process); the runner's own
  // timer fires a little later only if the prober failed to settle.
  return new IntervalRunner(
    def,
    deps,
    timeoutMs + 1000,
    async (signal) => {
      const r = await deps.probers.script(def.scriptArgs, timeoutMs, def.outputMaxSize, signal)
      if (r.timedOut) return {status: 'critical', output: timedOut}
      return {status: exitCodeToCheck(r.exitCode), output: r.output}
    },
    () => timedOut,
  )
}
