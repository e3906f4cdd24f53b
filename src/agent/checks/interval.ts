import type {TimerHandle} from '../env/types.js'
import {StatusHandler} from './status-handler.js'
import type {CheckDefinition, CheckRunner, CheckStatus, RunnerDeps} from './types.js'

/** Consul's floor for check intervals. */
export const MIN_INTERVAL_MS = 1000

export interface ProbeOutcome {
  status: CheckStatus
  output: string
}

/**
 * The shared schedule of HTTP, TCP and script checks: a first run after a random
 * stagger within one interval (so checks registered together do not fire together),
 * then one run per interval, each bounded by the check's timeout. At most one probe
 * is ever in flight: the next run is scheduled only when the previous one settled or
 * was abandoned at its timeout, and a probe that ignores its abort signal makes later
 * runs report critical instead of piling up.
 */
export class IntervalRunner implements CheckRunner {
  readonly checkId: string
  private timer?: TimerHandle
  private inflight?: Promise<void>
  private stopped = true
  private readonly intervalMs: number
  private readonly status: StatusHandler

  constructor(
    private readonly def: CheckDefinition,
    private readonly deps: RunnerDeps,
    private readonly timeoutMs: number,
    /** Runs one probe; must settle (or honour the signal). Rejections become critical with the error message. */
    private readonly probe: (signal: AbortSignal) => Promise<ProbeOutcome>,
    /** Output when the probe did not settle in time. */
    private readonly timeoutOutput: () => string,
  ) {
    this.checkId = def.id
    this.intervalMs = Math.max(def.intervalMs, MIN_INTERVAL_MS)
    if (def.intervalMs < MIN_INTERVAL_MS) deps.log.warn('check has interval below minimum', {check: def.id, minimum: '1s'})
    this.status = new StatusHandler(def.id, def, deps.notify, deps.log)
  }

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.schedule(this.deps.env.random.int(this.intervalMs))
  }

  stop(): void {
    this.stopped = true
    this.timer?.cancel()
    this.timer = undefined
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    this.timer = this.deps.env.timers.after(ms, () => this.run())
  }

  private run(): void {
    this.timer = undefined
    if (this.stopped) return
    if (this.inflight) {
      // The previous probe ignored its abort: do not start another one.
      this.report({status: 'critical', output: this.timeoutOutput()})
      this.schedule(this.intervalMs)
      return
    }
    const ac = new AbortController()
    let settled = false
    const timeout = this.deps.env.timers.after(this.timeoutMs, () => {
      if (settled) return
      settled = true
      ac.abort()
      this.report({status: 'critical', output: this.timeoutOutput()})
      this.schedule(this.intervalMs)
    })
    const p = this.probe(ac.signal).then(
      (outcome) => outcome,
      (err: unknown) => ({status: 'critical' as const, output: err instanceof Error ? err.message : String(err)}),
    )
    this.inflight = p.then(
      (outcome) => {
        this.inflight = undefined
        if (settled) return
        settled = true
        timeout.cancel()
        this.report(outcome)
        this.schedule(this.intervalMs)
      },
    )
  }

  private report(o: ProbeOutcome): void {
    if (this.stopped) return
    this.status.update(o.status, o.output)
  }
}
