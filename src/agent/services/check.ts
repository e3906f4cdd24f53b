import {DefinitionError} from './errors.js'
import {Fields, isPlainObject} from './fields.js'
import {DEFAULT_OUTPUT_MAX_SIZE, type CheckDefinition, type CheckKind, type InitialStatus} from './types.js'

export interface DecodeOptions {
  /** Config files: unknown fields are errors. The API ignores them (Go's JSON decoder does). */
  strict?: boolean
}

/**
 * Check kinds Consul has that dc does not build in: a definition with one of these fields is
 * a check of the plugin type named beside it, refused at registration unless a plugin
 * provides that type (docs/plugins.md).
 */
export const PLUGIN_KIND_FIELDS: [field: string, type: string][] = [
  ['GRPC', 'grpc'],
  ['UDP', 'udp'],
  ['H2PING', 'h2ping'],
  ['DockerContainerID', 'docker'],
  ['OSService', 'osservice'],
]

/** The built-in kinds by the name `Type` may give them (Consul reports them so in check records). */
const BUILTIN_TYPES = new Set(['http', 'tcp', 'ttl', 'script', 'alias'])

/** Consul-known check fields dc accepts and ignores. */
const IGNORED = ['Token', 'Namespace', 'Partition', 'Shell', 'ExposedPort', 'CheckType']

/** Fields every check has; the rest of a plugin-typed definition goes to the plugin as args. */
const COMMON = ['CheckID', 'ID', 'Name', 'Notes', 'ServiceID', 'Status', 'Interval', 'Timeout', 'DeregisterCriticalServiceAfter',
  'SuccessBeforePassing', 'FailuresBeforeWarning', 'FailuresBeforeCritical', 'OutputMaxSize', 'Type', ...IGNORED]

const VALID_STATUS = new Set(['passing', 'warning', 'critical'])

/**
 * Decodes one check definition (an /agent/check/register body, a config-file `check`,
 * or a service's `Check`/`Checks` entry) and validates it as Consul's CheckType.Validate
 * does. Returns null for an empty object (a service's `"Check": {}` means no check).
 */
export function parseCheckDefinition(raw: unknown, prefix = '', opts: DecodeOptions = {}): CheckDefinition | null {
  const f = Fields.of(raw, prefix.replace(/\.$/, ''), prefix)
  if (isPlainObject(raw) && Object.keys(raw).length === 0) return null
  const pluginType = pluginTypeOf(f)
  if (pluginType !== undefined) return parsePluginCheck(raw as Record<string, unknown>, f, pluginType)
  if (f.get('Script') !== undefined) {
    throw new DefinitionError(`Invalid check: ${f.path('Script')}: the "script" field was removed from Consul; use "args" (a list) instead`, f.path('Script'))
  }
  if (f.bool('TCPUseTLS')) throw new DefinitionError(`Invalid check: ${f.path('TCPUseTLS')}: TLS for TCP checks is not supported by dc`, f.path('TCPUseTLS'))
  // TLS flags of the plugin kinds mean nothing without them; Type named a built-in kind.
  f.ignore(...IGNORED, 'GRPCUseTLS', 'H2PingUseTLS', 'Type')

  const status = f.string('Status')
  if (status !== '' && !VALID_STATUS.has(status)) {
    throw new DefinitionError(`Invalid check: ${f.path('Status')}: status for checks must be 'passing', 'warning' or 'critical', got ${JSON.stringify(status)}`, f.path('Status'))
  }
  const def: CheckDefinition = {
    id: f.string('CheckID', 'ID'),
    name: f.string('Name'),
    notes: f.string('Notes'),
    serviceId: f.string('ServiceID'),
    status: status as InitialStatus,
    kind: 'ttl',
    pluginType: '',
    pluginArgs: {},
    intervalMs: f.duration('Interval'),
    timeoutMs: f.duration('Timeout'),
    ttlMs: f.duration('TTL'),
    deregisterCriticalServiceAfterMs: f.duration('DeregisterCriticalServiceAfter'),
    http: f.string('HTTP'),
    method: f.string('Method'),
    header: header(f),
    body: f.string('Body'),
    tlsServerName: f.string('TLSServerName'),
    tlsSkipVerify: f.bool('TLSSkipVerify'),
    disableRedirects: f.bool('DisableRedirects'),
    tcp: f.string('TCP'),
    scriptArgs: f.strings('Args', 'ScriptArgs'),
    aliasNode: f.string('AliasNode'),
    aliasService: f.string('AliasService'),
    successBeforePassing: f.int('SuccessBeforePassing', 0, 2 ** 31 - 1),
    failuresBeforeWarning: f.int('FailuresBeforeWarning', 0, 2 ** 31 - 1),
    failuresBeforeCritical: f.int('FailuresBeforeCritical', 0, 2 ** 31 - 1),
    outputMaxSize: f.int('OutputMaxSize', 0, 2 ** 31 - 1) || DEFAULT_OUTPUT_MAX_SIZE,
  }
  if (opts.strict) {
    const extra = f.unread()
    if (extra.length) throw new DefinitionError(`Invalid check: unknown field ${f.path(extra[0])}`, f.path(extra[0]))
  }
  for (const [field, ms] of [['Interval', def.intervalMs], ['Timeout', def.timeoutMs], ['TTL', def.ttlMs], ['DeregisterCriticalServiceAfter', def.deregisterCriticalServiceAfterMs]] as const) {
    if (ms < 0) throw new DefinitionError(`Invalid check: ${f.path(field)} must not be negative`, f.path(field))
  }
  def.kind = checkKind(def, f)
  return def
}

/** The plugin type a definition asks for: a `Type` that is not built in, or one of PLUGIN_KIND_FIELDS. */
function pluginTypeOf(f: Fields): string | undefined {
  const t = f.get('Type')
  if (t !== undefined && typeof t !== 'string') throw f.typeError('Type', 'a string', t)
  const type = (t ?? '').trim().toLowerCase()
  if (type !== '' && !BUILTIN_TYPES.has(type)) return type
  for (const [field, name] of PLUGIN_KIND_FIELDS) {
    const v = f.get(field)
    if (v !== undefined && v !== '' && v !== false) return name
  }
  return undefined
}

/**
 * A check of a plugin's type: the common fields decoded here, the others kept for the plugin
 * (which validates them; unknown fields cannot be refused here since only the plugin knows its own).
 * Whether the type exists is decided at registration, where the agent knows its plugins.
 */
function parsePluginCheck(raw: Record<string, unknown>, f: Fields, type: string): CheckDefinition {
  const status = f.string('Status')
  if (status !== '' && !VALID_STATUS.has(status)) {
    throw new DefinitionError(`Invalid check: ${f.path('Status')}: status for checks must be 'passing', 'warning' or 'critical', got ${JSON.stringify(status)}`, f.path('Status'))
  }
  const common = new Set(COMMON.map(norm))
  const pluginArgs: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(raw)) if (!common.has(norm(k))) pluginArgs[snake(k)] = v
  const def: CheckDefinition = {
    id: f.string('CheckID', 'ID'), name: f.string('Name'), notes: f.string('Notes'), serviceId: f.string('ServiceID'),
    status: status as InitialStatus, kind: 'plugin', pluginType: type, pluginArgs,
    intervalMs: f.duration('Interval'), timeoutMs: f.duration('Timeout'), ttlMs: 0,
    deregisterCriticalServiceAfterMs: f.duration('DeregisterCriticalServiceAfter'),
    http: '', method: '', header: {}, body: '', tlsServerName: '', tlsSkipVerify: false, disableRedirects: false, tcp: '',
    scriptArgs: [], aliasNode: '', aliasService: '',
    successBeforePassing: f.int('SuccessBeforePassing', 0, 2 ** 31 - 1),
    failuresBeforeWarning: f.int('FailuresBeforeWarning', 0, 2 ** 31 - 1),
    failuresBeforeCritical: f.int('FailuresBeforeCritical', 0, 2 ** 31 - 1),
    outputMaxSize: f.int('OutputMaxSize', 0, 2 ** 31 - 1) || DEFAULT_OUTPUT_MAX_SIZE,
  }
  for (const [field, ms] of [['Interval', def.intervalMs], ['Timeout', def.timeoutMs], ['DeregisterCriticalServiceAfter', def.deregisterCriticalServiceAfterMs]] as const) {
    if (ms < 0) throw new DefinitionError(`Invalid check: ${f.path(field)} must not be negative`, f.path(field))
  }
  return def
}

/** Field names compare without case or underscores, as Fields does. */
function norm(k: string): string {
  return k.replace(/_/g, '').toLowerCase()
}

/** `MaxAge`, `maxAge`, `max_age` → `max_age`; `GRPC` → `grpc`, `DockerContainerID` → `docker_container_id`. */
export function snake(k: string): string {
  return k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase()
}

function header(f: Fields): Record<string, string[]> {
  const v = f.get('Header')
  if (v === undefined) return {}
  if (!isPlainObject(v)) throw f.typeError('Header', 'an object of string lists', v)
  const out: Record<string, string[]> = {}
  for (const [k, vals] of Object.entries(v)) {
    if (typeof vals === 'string') out[k] = [vals]
    else if (Array.isArray(vals) && vals.every((x) => typeof x === 'string')) out[k] = [...vals]
    else throw f.typeError(`Header.${k}`, 'a list of strings', vals)
  }
  return out
}

/** Consul's CheckType.Type() precedence plus CheckType.Validate(), with the field named. */
function checkKind(def: CheckDefinition, f: Fields): CheckKind {
  const isAlias = def.aliasService !== '' || def.aliasNode !== ''
  const kinds: CheckKind[] = []
  if (def.http) kinds.push('http')
  if (def.ttlMs > 0) kinds.push('ttl')
  if (def.tcp) kinds.push('tcp')
  if (isAlias) kinds.push('alias')
  if (def.scriptArgs.length) kinds.push('script')
  const intervalCheck = def.http !== '' || def.tcp !== '' || def.scriptArgs.length > 0
  if (def.intervalMs > 0 && def.ttlMs > 0) {
    throw new DefinitionError(`Invalid check: ${f.path('Interval')} and ${f.path('TTL')} cannot both be specified`, f.path('TTL'))
  }
  if (intervalCheck && def.intervalMs <= 0) {
    throw new DefinitionError(`Invalid check: ${f.path('Interval')} must be > 0 for Script, HTTP or TCP checks`, f.path('Interval'))
  }
  if (isAlias && intervalCheck) throw new DefinitionError(`Invalid check: ${f.path('Interval')} cannot be set for Alias checks`, f.path('Interval'))
  if (isAlias && def.ttlMs > 0) throw new DefinitionError(`Invalid check: ${f.path('TTL')} must not be set for Alias checks`, f.path('TTL'))
  if (kinds.length === 0) {
    if (f.has('TTL')) throw new DefinitionError(`Invalid check: ${f.path('TTL')} must be > 0 for TTL checks`, f.path('TTL'))
    throw new DefinitionError(
      `Invalid check: unknown check type: one of ${['HTTP', 'TCP', 'TTL', 'Args', 'AliasService'].map((x) => f.path(x)).join(', ')} is required`,
      f.prefix.replace(/\.$/, '') || 'Check',
    )
  }
  if (def.http && !/^https?:\/\//i.test(def.http)) {
    throw new DefinitionError(`Invalid check: ${f.path('HTTP')} must be an http:// or https:// URL, got ${JSON.stringify(def.http)}`, f.path('HTTP'))
  }
  if (def.tcp && !/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(def.tcp)) {
    throw new DefinitionError(`Invalid check: ${f.path('TCP')} must be host:port, got ${JSON.stringify(def.tcp)}`, f.path('TCP'))
  }
  return kinds[0]
}
