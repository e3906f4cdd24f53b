import type {TimerHandle} from '../env/types.js'
import {StatusHandler} from './status-handler.js'
import type {CheckDefinition, CheckStatus, RunnerDeps, TtlRunner} from './types.js'

/**
 * TTL check: the application reports its own health through
 * /v1/agent/check/pass|warn|fail|update; if no report arrives within the TTL the
 * check turns critical with "TTL expired" (plus the last output, as Consul keeps it).
 */
export function createTtlRunner(def: CheckDefinition, deps: RunnerDeps): TtlRunner {
  const status = new StatusHandler(def.id, def, deps.notify, deps.log)
  let timer: TimerHandle | undefined
  let running = false
  let lastOutput = ''
  const arm = () => {
    timer?.cancel()
    timer = deps.env.timers.after(def.ttlMs, () => {
      timer = undefined
      if (!running) return
      deps.log.warn('Check missed TTL, is now critical', {check: def.id})
      status.update('critical', lastOutput ? `TTL expired (last output before timeout follows): ${lastOutput}` : 'TTL expired')
    })
  }
  return {
    checkId: def.id,
    start() {
      if (running) return
      running = true
      arm()
    },
    stop() {
      running = false
      timer?.cancel()
      timer = undefined
    },
    setStatus(s: CheckStatus, output: string): string {
      const total = Buffer.byteLength(output)
      if (total > def.outputMaxSize) {
        output = `${Buffer.from(output).subarray(0, def.outputMaxSize).toString()} ... (captured ${def.outputMaxSize} of ${total} bytes)`
      }
      lastOutput = output
      status.update(s, output)
      if (running) arm()
      return output
    },
  }
}
