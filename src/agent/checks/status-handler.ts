import type {Logger} from '../env/types.js'
import {applyResult, initialStreaks, type Streaks, type Thresholds} from './core/thresholds.js'
import type {CheckNotify, CheckStatus} from './types.js'

/** Applies a check's success/failure thresholds before results reach the local agent. */
export class StatusHandler {
  private streaks: Streaks = initialStreaks

  constructor(
    private readonly checkId: string,
    private readonly thresholds: Thresholds,
    private readonly notify: CheckNotify,
    private readonly log: Logger,
  ) {}

  update(status: CheckStatus, output: string): void {
    const {streaks, report} = applyResult(this.thresholds, this.streaks, status)
    this.streaks = streaks
    if (report) {
      this.notify(this.checkId, report, output)
      return
    }
    if (status === 'critical') this.log.warn('Check failed but has not reached failure threshold', {check: this.checkId, failure_count: streaks.failures})
    else this.log.warn('Check passed but has not reached success threshold', {check: this.checkId, success_count: streaks.successes})
  }
}
