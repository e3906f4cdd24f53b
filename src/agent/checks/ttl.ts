import type {CheckResult, WatchedCheck} from '../../plugin.js'
import type {Logger, TimerHandle, Timers} from '../env/types.js'
import type {CheckDefinition, CheckStatus} from './types.js'

/**
 * TTL check: the application reports its own health through
 * /v1/agent/check/pass|warn|fail|update; if no report arrives within the TTL the
 * check turns critical with "TTL expired" (plus the last output, as Consul keeps it).
 */
export function ttlCheck(def: CheckDefinition, timers: Timers, log: Logger): WatchedCheck {
  let timer: TimerHandle | undefined
  let report: ((r: CheckResult) => void) | undefined
  let lastOutput = ''
  const arm = () => {
    timer?.cancel()
    timer = timers.after(def.ttlMs, () => {
      timer = undefined
      if (!report) return
      log.warn('Check missed TTL, is now critical', {check: def.id})
      report({status: 'critical', output: lastOutput ? `TTL expired (last output before timeout follows): ${lastOutput}` : 'TTL expired'})
    })
  }
  return {
    start(r) {
      if (report) return
      report = r
      arm()
    },
    stop() {
      report = undefined
      timer?.cancel()
      timer = undefined
    },
    update(s: CheckStatus, output: string): string {
      const total = Buffer.byteLength(output)
      if (total > def.outputMaxSize) {
        output = `${Buffer.from(output).subarray(0, def.outputMaxSize).toString()} ... (captured ${def.outputMaxSize} of ${total} bytes)`
      }
      lastOutput = output
      report?.({status: s, output})
      if (report) arm()
      return output
    },
  }
}
