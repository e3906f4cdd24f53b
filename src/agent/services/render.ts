import {formatDuration} from '../config/duration.js'
import type {CheckDefinitionView} from '../../store/state/types.js'
import type {CheckDefinition, ServiceDefinition} from './types.js'

/**
 * Definitions back to Consul's PascalCase JSON: what the agent persists under
 * data_dir (parseServiceDefinition/parseCheckDefinition read it back unchanged) and
 * what check records carry as `Definition`.
 */
export function renderCheckDefinition(c: CheckDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {CheckID: c.id, Name: c.name}
  if (c.notes) out.Notes = c.notes
  if (c.serviceId) out.ServiceID = c.serviceId
  if (c.status) out.Status = c.status
  if (c.intervalMs) out.Interval = formatDuration(c.intervalMs)
  if (c.timeoutMs) out.Timeout = formatDuration(c.timeoutMs)
  if (c.ttlMs) out.TTL = formatDuration(c.ttlMs)
  if (c.deregisterCriticalServiceAfterMs) out.DeregisterCriticalServiceAfter = formatDuration(c.deregisterCriticalServiceAfterMs)
  if (c.http) out.HTTP = c.http
  if (c.method) out.Method = c.method
  if (Object.keys(c.header).length) out.Header = c.header
  if (c.body) out.Body = c.body
  if (c.tlsServerName) out.TLSServerName = c.tlsServerName
  if (c.tlsSkipVerify) out.TLSSkipVerify = true
  if (c.disableRedirects) out.DisableRedirects = true
  if (c.tcp) out.TCP = c.tcp
  if (c.scriptArgs.length) out.Args = c.scriptArgs
  if (c.aliasNode) out.AliasNode = c.aliasNode
  if (c.aliasService) out.AliasService = c.aliasService
  if (c.successBeforePassing) out.SuccessBeforePassing = c.successBeforePassing
  if (c.failuresBeforeWarning) out.FailuresBeforeWarning = c.failuresBeforeWarning
  if (c.failuresBeforeCritical) out.FailuresBeforeCritical = c.failuresBeforeCritical
  out.OutputMaxSize = c.outputMaxSize
  // A plugin type's own fields, in the snake_case it receives them (parsing reads them back unchanged).
  if (c.kind === 'plugin') Object.assign(out, {Type: c.pluginType}, c.pluginArgs)
  return out
}

export function renderServiceDefinition(s: ServiceDefinition): Record<string, unknown> {
  return {
    ID: s.id,
    Name: s.name,
    Tags: s.tags,
    Address: s.address,
    TaggedAddresses: s.taggedAddresses,
    Meta: s.meta,
    Port: s.port,
    EnableTagOverride: s.enableTagOverride,
    Weights: s.weights,
    Checks: s.checks.map(renderCheckDefinition),
  }
}

/** The `Definition` object of a check record (Consul's HealthCheckDefinition; empty fields omitted). */
export function definitionView(c: CheckDefinition): CheckDefinitionView {
  const d: CheckDefinitionView = {}
  if (c.http) {
    d.HTTP = c.http
    d.Header = c.header
    d.Method = c.method
    d.Body = c.body
    d.TLSSkipVerify = c.tlsSkipVerify
  }
  if (c.tcp) d.TCP = c.tcp
  if (c.scriptArgs.length) d.ScriptArgs = c.scriptArgs
  if (c.intervalMs) d.Interval = formatDuration(c.intervalMs)
  if (c.timeoutMs) d.Timeout = formatDuration(c.timeoutMs)
  if (c.ttlMs) d.TTL = formatDuration(c.ttlMs)
  if (c.deregisterCriticalServiceAfterMs) d.DeregisterCriticalServiceAfter = formatDuration(c.deregisterCriticalServiceAfterMs)
  return d
}
