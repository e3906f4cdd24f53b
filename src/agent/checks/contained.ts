import type {CheckResult, CheckType, PluginCheck, PolledCheck, WatchedCheck} from '../../plugin.js'
import {formatDuration} from '../config/duration.js'
import {oneLine} from '../plugins/registry.js'
import {IntervalRunner} from './interval.js'
import {StatusHandler} from './status-handler.js'
import type {BuiltinCheckDefinition, CheckDefinition, CheckEnv, CheckRunner, CheckStatus, RunnerDeps, TtlRunner} from './types.js'

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000

const STATUSES = new Set<unknown>(['passing', 'warning', 'critical'])

/**
 * Runs a check of any registered type, built-in or a plugin's, inside the agent's rules:
 * the agent owns the schedule (IntervalRunner: interval, stagger, timeout, one probe in
 * flight) and the thresholds (StatusHandler); the type only answers. Whatever the type's code
 * does — throw while being created, throw or reject in check(), never settle, return
 * something that is not a result, report garbage — ends as a critical status with the
 * error as output for this one check. The agent and other checks carry on.
 */
export function createContainedRunner(def: CheckDefinition, deps: RunnerDeps, type: CheckType, plugin: string): CheckRunner | TtlRunner {
  const view = pluginCheckView(def, type)
  const {type: typeName, timeoutMs} = view
  const env = checkEnv(deps, plugin)
  // Plugin output is capped like a script's; built-in types cap their own (TTL notes the cut).
  const cap = def.kind === 'plugin' ? def.outputMaxSize : Infinity
  const blame = plugin === 'builtin' ? '' : ` (plugin ${JSON.stringify(plugin)})`
  let check: PluginCheck
  try {
    check = type.create(view, env)
  } catch (e) {
    return new FailedRunner(def, deps, `${typeName} check could not be created${blame}: ${oneLine(e)}`)
  }
  if (isPolled(check)) {
    const polled = check
    const runner = new IntervalRunner(
      def,
      deps,
      typeof polled.timeoutMs === 'number' && polled.timeoutMs > 0 ? polled.timeoutMs : timeoutMs,
      // async: a synchronous throw becomes a rejection, which IntervalRunner turns into critical.
      async (signal) => result(await polled.check(signal), cap, blame),
      () => (typeof polled.timeoutOutput === 'string' ? polled.timeoutOutput : `${typeName} check timed out after ${formatDuration(timeoutMs)}${blame}`),
    )
    return withClose(runner, () => polled.close?.(), deps, def.id)
  }
  // Only TTL-like checks (with update) take statuses from the API: isTtlRunner looks for setStatus.
  if (isWatched(check)) return typeof check.update === 'function' ? new UpdatableWatchRunner(def, deps, check, cap, blame) : new WatchRunner(def, deps, check, cap, blame)
  return new FailedRunner(def, deps, `${typeName} check${blame}: create() returned neither {check()} nor {start(), stop()}`)
}

/** The definition as a check type sees it (and, for dc's own types, the decoded definition). */
export function pluginCheckView(def: CheckDefinition, type: CheckType): BuiltinCheckDefinition {
  return {
    id: def.id, name: def.name, serviceId: def.serviceId, type: def.kind === 'plugin' ? def.pluginType : def.kind,
    intervalMs: def.intervalMs, timeoutMs: def.timeoutMs || type.defaultTimeoutMs || DEFAULT_CHECK_TIMEOUT_MS,
    args: Object.freeze({...def.pluginArgs}), definition: def,
  }
}

function checkEnv(deps: RunnerDeps, plugin: string): CheckEnv {
  const log = plugin === 'builtin' ? deps.log : deps.log.named(`plugin.${plugin}`)
  return {
    nowMs: () => deps.env.clock.nowMs(),
    wallMs: () => deps.env.clock.wallMs(),
    after: (ms, fn) => deps.env.timers.after(ms, fn),
    log,
    nodeName: deps.nodeName,
    datacenter: deps.datacenter ?? '',
    probers: deps.probers,
    alias: deps.alias,
    timers: deps.env.timers,
    internalLog: deps.log,
  }
}

function isPolled(c: unknown): c is PolledCheck {
  return typeof (c as PolledCheck | undefined)?.check === 'function'
}

function isWatched(c: unknown): c is WatchedCheck {
  return typeof (c as WatchedCheck | undefined)?.start === 'function' && typeof (c as WatchedCheck).stop === 'function'
}

/** A type's answer, checked: anything but {status, output?: string} is an error. */
function result(r: unknown, cap: number, blame: string): CheckResult {
  const o = r as Partial<CheckResult> | undefined
  if (!o || typeof o !== 'object' || !STATUSES.has(o.status) || (o.output !== undefined && typeof o.output !== 'string')) {
    throw new Error(`check returned an invalid result${blame}: expected {status: "passing"|"warning"|"critical", output: string}, got ${preview(r)}`)
  }
  const output = o.output ?? ''
  const bytes = Buffer.byteLength(output)
  if (bytes <= cap) return {status: o.status as CheckStatus, output}
  return {status: o.status as CheckStatus, output: `${Buffer.from(output).subarray(0, cap).toString()} ... (captured ${cap} of ${bytes} bytes)`}
}

function preview(v: unknown): string {
  if (v === undefined) return 'undefined'
  return oneLine(v).slice(0, 100)
}

function withClose(runner: IntervalRunner, close: () => void, deps: RunnerDeps, checkId: string): CheckRunner {
  return {
    checkId,
    start: () => runner.start(),
    stop: () => {
      runner.stop()
      try {
        close()
      } catch (e) {
        deps.log.warn('check close() threw', {check: checkId, error: oneLine(e)})
      }
    },
  }
}

/** A check that reports by itself, behind the same thresholds and result checks. */
class WatchRunner implements CheckRunner {
  readonly checkId: string
  private readonly status: StatusHandler
  private running = false

  constructor(
    def: CheckDefinition,
    private readonly deps: RunnerDeps,
    protected readonly check: WatchedCheck,
    private readonly cap: number,
    private readonly blame: string,
  ) {
    this.checkId = def.id
    this.status = new StatusHandler(def.id, def, deps.notify, deps.log)
  }

  start(): void {
    if (this.running) return
    this.running = true
    try {
      this.check.start((r) => this.report(r))
    } catch (e) {
      this.status.update('critical', `check failed to start${this.blame}: ${oneLine(e)}`)
    }
  }

  stop(): void {
    this.running = false
    try {
      this.check.stop()
    } catch (e) {
      this.deps.log.warn('check stop() threw', {check: this.checkId, error: oneLine(e)})
    }
  }

  private report(r: unknown): void {
    if (!this.running) return
    try {
      const ok = result(r, this.cap, this.blame)
      this.status.update(ok.status, ok.output)
    } catch (e) {
      this.status.update('critical', (e as Error).message)
    }
  }
}

/** A watched check that also takes /v1/agent/check/pass|warn|fail|update, as TTL checks do. */
class UpdatableWatchRunner extends WatchRunner implements TtlRunner {
  setStatus(status: CheckStatus, output: string): string {
    return this.check.update!(status, output)
  }
}

/** A check whose type could not build it: critical with the reason, once started. */
class FailedRunner implements CheckRunner {
  readonly checkId: string
  constructor(
    def: CheckDefinition,
    private readonly deps: RunnerDeps,
    private readonly reason: string,
  ) {
    this.checkId = def.id
  }

  start(): void {
    this.deps.log.warn('check could not be created', {check: this.checkId, error: this.reason})
    this.deps.notify(this.checkId, 'critical', this.reason)
  }

  stop(): void {}
}
