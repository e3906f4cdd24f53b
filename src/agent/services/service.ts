import {parseCheckDefinition, type DecodeOptions} from './check.js'
import {DefinitionError} from './errors.js'
import {Fields, isPlainObject} from './fields.js'
import type {CheckDefinition, ServiceAddressDef, ServiceDefinition} from './types.js'

/** Consul-known service fields dc accepts and ignores. */
const IGNORED = ['Token', 'SocketPath', 'Locality', 'PeerName', 'EnterpriseMeta']

const META_MAX_PAIRS = 64
const META_KEY_MAX = 128
const META_VALUE_MAX = 512

/**
 * Decodes and validates one service definition: an /agent/service/register body
 * (PascalCase) or a config-file `service` (snake_case); both spellings work in both
 * places. Throws DefinitionError naming the field.
 */
export function parseServiceDefinition(raw: unknown, opts: DecodeOptions = {}): ServiceDefinition {
  const f = Fields.of(raw, 'service', '')
  f.ignore(...IGNORED)
  const kind = f.string('Kind')
  if (kind !== '' && kind !== 'typical') {
    throw new DefinitionError(`Invalid service: Kind ${JSON.stringify(kind)} is not supported by dc (service mesh is not implemented); omit Kind for a typical service`, 'Kind')
  }
  for (const tenancy of ['Namespace', 'Partition']) {
    const v = f.string(tenancy)
    if (v !== '' && v !== 'default') throw new DefinitionError(`Invalid service: ${tenancy} ${JSON.stringify(v)} is not supported (only "default")`, tenancy)
  }
  const connect = f.get('Connect')
  if (connect !== undefined) {
    const c = Fields.of(connect, 'Connect', 'Connect.')
    if (c.get('SidecarService') !== undefined) {
      throw new DefinitionError('Invalid service: Connect.SidecarService is not supported by dc (service mesh is not implemented)', 'Connect.SidecarService')
    }
  }
  const proxy = f.get('Proxy')
  if (proxy !== undefined && !(isPlainObject(proxy) && Object.keys(proxy).length === 0)) {
    throw new DefinitionError('Invalid service: Proxy is not supported by dc (service mesh is not implemented)', 'Proxy')
  }

  const name = f.string('Name')
  if (name === '') throw new DefinitionError('Missing service name', 'Name')
  const address = f.string('Address')
  if (address === '0.0.0.0' || address === '::' || address === '[::]') throw new DefinitionError('Invalid service address', 'Address')
  const def: ServiceDefinition = {
    kind: '',
    id: f.string('ID') || name,
    name,
    tags: f.strings('Tags'),
    address,
    taggedAddresses: taggedAddresses(f),
    meta: f.stringMap('Meta'),
    port: f.int('Port', 0, 65535),
    enableTagOverride: f.bool('EnableTagOverride'),
    weights: weights(f),
    checks: [],
  }
  validateMeta(def.meta)
  def.checks = serviceChecks(f, opts)
  if (opts.strict) {
    const extra = f.unread()
    if (extra.length) throw new DefinitionError(`Invalid service: unknown field ${extra[0]}`, extra[0])
  }
  return def
}

function taggedAddresses(f: Fields): Record<string, ServiceAddressDef> {
  const v = f.get('TaggedAddresses')
  if (v === undefined) return {}
  if (!isPlainObject(v)) throw f.typeError('TaggedAddresses', 'an object', v)
  const out: Record<string, ServiceAddressDef> = {}
  for (const [k, entry] of Object.entries(v)) {
    const e = Fields.of(entry, `TaggedAddresses.${k}`, `TaggedAddresses.${k}.`)
    out[k] = {Address: e.string('Address'), Port: e.int('Port', 0, 65535)}
  }
  return out
}

function weights(f: Fields): {Passing: number; Warning: number} {
  const v = f.get('Weights')
  if (v === undefined) return {Passing: 1, Warning: 1}
  const w = Fields.of(v, 'Weights', 'Weights.')
  const passing = w.int('Passing', -(2 ** 31), 2 ** 31 - 1)
  const warning = w.int('Warning', -(2 ** 31), 2 ** 31 - 1)
  if (passing < 1) throw new DefinitionError('Invalid Weights: Passing must be greater than 0', 'Weights.Passing')
  if (warning < 0) throw new DefinitionError('Invalid Weights: Warning must be greater or equal than 0', 'Weights.Warning')
  return {Passing: passing, Warning: warning}
}

/** Consul's ValidateServiceMetadata, naming the key at fault. */
export function validateMeta(meta: Record<string, string>, what = 'Service Meta'): void {
  const keys = Object.keys(meta)
  if (keys.length > META_MAX_PAIRS) throw new DefinitionError(`Invalid ${what}: cannot contain more than ${META_MAX_PAIRS} key/value pairs`, 'Meta')
  for (const k of keys) {
    const field = `Meta.${k}`
    if (k === '') throw new DefinitionError(`Invalid ${what}: Key cannot be blank`, 'Meta')
    if (!/^[a-zA-Z0-9_-]+$/.test(k)) throw new DefinitionError(`Invalid ${what}: Key ${JSON.stringify(k)} contains invalid characters`, field)
    if (k.length > META_KEY_MAX) throw new DefinitionError(`Invalid ${what}: Key ${JSON.stringify(k)} is too long (limit: ${META_KEY_MAX} characters)`, field)
    if (k.startsWith('consul-')) throw new DefinitionError(`Invalid ${what}: Key prefix 'consul-' is reserved for internal use (${JSON.stringify(k)})`, field)
    if (meta[k].length > META_VALUE_MAX) throw new DefinitionError(`Invalid ${what}: Value for ${JSON.stringify(k)} is too long (limit: ${META_VALUE_MAX} characters)`, field)
  }
}

/**
 * `Check` then `Checks`, with Consul's generated IDs: `service:<id>` for a single
 * check, `service:<id>:<n>` (1-based) when there are several; names default to
 * "Service '<name>' check". Duplicate check IDs are refused.
 */
function serviceChecks(f: Fields, opts: DecodeOptions): CheckDefinition[] {
  const parsed: CheckDefinition[] = []
  const one = f.get('Check')
  if (one !== undefined) {
    const c = parseCheckDefinition(one, 'Check.', opts)
    if (c) parsed.push(c)
  }
  const many = f.get('Checks')
  if (many !== undefined) {
    if (!Array.isArray(many)) throw f.typeError('Checks', 'a list of checks', many)
    many.forEach((raw, i) => {
      const c = parseCheckDefinition(raw, `Checks[${i}].`, opts)
      if (c) parsed.push(c)
    })
  }
  return parsed
}

/** Fills in the IDs, names and service ID Consul derives for a service's checks. */
export function serviceCheckDefaults(def: ServiceDefinition): CheckDefinition[] {
  const seen = new Set<string>()
  return def.checks.map((c, i) => {
    let id = c.id
    if (id === '') id = def.checks.length > 1 ? `service:${def.id}:${i + 1}` : `service:${def.id}`
    if (seen.has(id)) throw new DefinitionError(`Invalid check: duplicate CheckID ${JSON.stringify(id)} in service ${JSON.stringify(def.id)}`, 'Checks')
    seen.add(id)
    return {...c, id, name: c.name || `Service '${def.name}' check`, serviceId: def.id}
  })
}
