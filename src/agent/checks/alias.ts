import type {CheckResult, WatchedCheck} from '../../plugin.js'
import type {TimerHandle, Timers} from '../env/types.js'
import type {AliasSource, CheckDefinition, CheckStatus} from './types.js'

/**
 * Consul's alias aggregation: the worst status among the aliased service's checks
 * and the node's own checks (critical wins immediately, then warning); a service
 * that cannot be found is critical.
 */
export function aggregateAlias(
  checks: NonNullable<ReturnType<AliasSource['checks']>>,
  node: string,
  serviceId: string,
  exists: (serviceId: string) => boolean | undefined = () => false,
): {status: CheckStatus; output: string} {
  let status: CheckStatus = 'passing'
  let output = 'No checks found.'
  let found = false
  // Every check is looked at (no early exit on the first critical): a critical node check
  // listed before the service's own must not make the service look missing.
  for (const c of checks) {
    if (c.Node !== node) continue
    if (c.ServiceID !== '' && c.ServiceID !== serviceId) continue
    if (c.ServiceID !== '') found = true
    if (status === 'critical') continue
    if (c.Status === 'critical' || c.Status === 'warning' || c.Status === 'maintenance') {
      status = c.Status === 'warning' ? 'warning' : 'critical'
      output = `Aliased check ${JSON.stringify(c.Name)} failing: ${c.Output}`
    } else if (status === 'passing') output = 'All checks passing.'
  }
  if (serviceId !== '' && !found && exists(serviceId) === false) return {status: 'critical', output: `Service ${serviceId} could not be found on node ${node}`}
  return {status, output}
}

/** Alias check: re-evaluates whenever what it aliases changes (no polling interval). */
export function aliasCheck(def: CheckDefinition, source: AliasSource | undefined, nodeName: string, timers: Timers): WatchedCheck {
  if (!source) throw new Error('alias checks need an AliasSource')
  const node = def.aliasNode || nodeName
  let cancelWatch: (() => void) | undefined
  let pending: TimerHandle | undefined
  let report: ((r: CheckResult) => void) | undefined
  let last = ''
  const evaluate = () => {
    pending = undefined
    if (!report) return
    // Re-arm before reading so a change between the read and the watch is not lost.
    cancelWatch?.()
    cancelWatch = source.watch(node, kick)
    const error = source.error?.(node)
    const checks = source.checks(node)
    // Nothing known yet (the first remote answer is on its way): keep the current status.
    if (!error && !checks) return
    const exists = (id: string) => (source.serviceExists ? source.serviceExists(node, id) : false)
    const r = error ? {status: 'critical' as CheckStatus, output: error} : aggregateAlias(checks!, node, def.aliasService, exists)
    const key = `${r.status}\u0000${r.output}`
    if (key === last) return
    last = key
    report(r)
  }
  // Coalesce bursts of changes into one evaluation.
  const kick = () => {
    if (report && !pending) pending = timers.after(0, evaluate)
  }
  return {
    start(r) {
      if (report) return
      report = r
      kick()
    },
    stop() {
      report = undefined
      cancelWatch?.()
      cancelWatch = undefined
      pending?.cancel()
      pending = undefined
    },
  }
}
