import type {CheckStatus} from '../types.js'

/**
 * Consul's StatusHandler as a pure reducer: `success_before_passing`,
 * `failures_before_warning` and `failures_before_critical` count consecutive
 * results; a result is reported only once its streak reaches the threshold (0 or
 * 1 = at once). A failing streak that has reached failures_before_warning but not
 * failures_before_critical reports warning. Counters start at zero, so a new check
 * with success_before_passing = 3 needs three successes.
 */
export interface Thresholds {
  successBeforePassing: number
  failuresBeforeWarning: number
  failuresBeforeCritical: number
}

export interface Streaks {
  successes: number
  failures: number
}

export const initialStreaks: Streaks = {successes: 0, failures: 0}

/** The next counters and what to report (undefined: hold the current status). */
export function applyResult(t: Thresholds, s: Streaks, status: CheckStatus): {streaks: Streaks; report?: CheckStatus} {
  if (status === 'passing' || status === 'warning') {
    const streaks = {successes: s.successes + 1, failures: 0}
    return {streaks, report: streaks.successes >= t.successBeforePassing ? status : undefined}
  }
  const streaks = {successes: 0, failures: s.failures + 1}
  if (streaks.failures >= t.failuresBeforeCritical) return {streaks, report: 'critical'}
  // failures_before_warning defaults to failures_before_critical (Consul's agent does the same).
  const warnAt = t.failuresBeforeWarning || t.failuresBeforeCritical
  if (streaks.failures >= warnAt) return {streaks, report: 'warning'}
  return {streaks}
}
