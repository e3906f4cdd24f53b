import {formatDuration} from '../config/duration.js'
import type {DeregisterRequest, HealthCheckInput, NodeServiceInput, RegisterRequest} from '../../store/state/requests.js'
import type {CheckDefinitionView, HealthStatus} from '../../store/state/types.js'
import {DefinitionError} from './errors.js'
import {Fields, isPlainObject} from './fields.js'
import {validateMeta} from './service.js'

/**
 * /v1/catalog/register and /deregister bodies (Consul's RegisterRequest and
 * DeregisterRequest), decoded case-insensitively and checked as Consul's catalog
 * endpoint does before anything is written.
 */
export function parseRegisterRequest(raw: unknown): RegisterRequest {
  const f = Fields.of(raw, 'body', '')
  f.ignore('Token', 'WriteRequest', 'EnterpriseMeta', 'PeerName', 'Partition', 'Namespace', 'Locality')
  const node = f.string('Node')
  if (node === '') throw new DefinitionError('Must provide node', 'Node')
  const skipNodeUpdate = f.bool('SkipNodeUpdate')
  const address = f.string('Address')
  if (address === '' && !skipNodeUpdate) throw new DefinitionError('Must provide address if SkipNodeUpdate is not set', 'Address')
  const req: RegisterRequest = {Node: node, Address: address}
  const id = f.string('ID')
  if (id) {
    if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(id)) {
      throw new DefinitionError(`Invalid node ID: ${JSON.stringify(id)} is not a UUID`, 'ID')
    }
    req.ID = id.toLowerCase()
  }
  const dc = f.string('Datacenter')
  if (dc) req.Datacenter = dc
  if (f.get('TaggedAddresses') !== undefined) req.TaggedAddresses = f.stringMap('TaggedAddresses')
  if (f.get('NodeMeta') !== undefined) {
    req.NodeMeta = f.stringMap('NodeMeta')
    validateMeta(req.NodeMeta, 'node metadata')
  }
  if (skipNodeUpdate) req.SkipNodeUpdate = true
  const svc = f.get('Service')
  if (svc !== undefined) req.Service = nodeService(Fields.of(svc, 'Service', 'Service.'))
  const checks: HealthCheckInput[] = []
  const one = f.get('Check')
  if (one !== undefined) checks.push(healthCheck(Fields.of(one, 'Check', 'Check.'), node))
  const many = f.get('Checks')
  if (many !== undefined) {
    if (!Array.isArray(many)) throw f.typeError('Checks', 'a list of checks', many)
    many.forEach((c, i) => checks.push(healthCheck(Fields.of(c, `Checks[${i}]`, `Checks[${i}].`), node)))
  }
  if (checks.length) req.Checks = checks
  return req
}

export function parseDeregisterRequest(raw: unknown): DeregisterRequest {
  const f = Fields.of(raw, 'body', '')
  const node = f.string('Node')
  if (node === '') throw new DefinitionError('Must provide node', 'Node')
  const req: DeregisterRequest = {Node: node}
  const serviceId = f.string('ServiceID')
  const checkId = f.string('CheckID')
  if (serviceId) req.ServiceID = serviceId
  if (checkId) req.CheckID = checkId
  return req
}

function nodeService(f: Fields): NodeServiceInput {
  const kind = f.string('Kind')
  if (kind !== '' && kind !== 'typical') throw new DefinitionError(`Invalid service: Kind ${JSON.stringify(kind)} is not supported by dc (service mesh is not implemented)`, 'Service.Kind')
  const name = f.string('Service', 'Name')
  const id = f.string('ID') || name
  if (id !== '' && name === '') throw new DefinitionError('Must provide service name with ID', 'Service.Service')
  if (name === '') throw new DefinitionError('Must provide service name', 'Service.Service')
  const address = f.string('Address')
  if (address === '0.0.0.0' || address === '::' || address === '[::]') throw new DefinitionError('Invalid service address', 'Service.Address')
  const out: NodeServiceInput = {
    ID: id,
    Service: name,
    Tags: f.strings('Tags'),
    Address: address,
    Meta: f.stringMap('Meta'),
    Port: f.int('Port', 0, 65535),
    EnableTagOverride: f.bool('EnableTagOverride'),
  }
  validateMeta(out.Meta ?? {})
  const tagged = f.get('TaggedAddresses')
  if (tagged !== undefined) {
    if (!isPlainObject(tagged)) throw f.typeError('TaggedAddresses', 'an object', tagged)
    out.TaggedAddresses = {}
    for (const [k, v] of Object.entries(tagged)) {
      const e = Fields.of(v, `Service.TaggedAddresses.${k}`, `Service.TaggedAddresses.${k}.`)
      out.TaggedAddresses[k] = {Address: e.string('Address'), Port: e.int('Port', 0, 65535)}
    }
  }
  const w = f.get('Weights')
  if (w !== undefined) {
    const wf = Fields.of(w, 'Service.Weights', 'Service.Weights.')
    out.Weights = {Passing: wf.int('Passing', 0, 2 ** 31 - 1), Warning: wf.int('Warning', 0, 2 ** 31 - 1)}
    if (out.Weights.Passing < 1) out.Weights.Passing = 1
  }
  return out
}

const STATUSES = new Set(['passing', 'warning', 'critical'])

function healthCheck(f: Fields, node: string): HealthCheckInput {
  const checkNode = f.string('Node') || node
  const checkId = f.string('CheckID', 'ID')
  const name = f.string('Name')
  if (checkNode !== node) {
    throw new DefinitionError(`Node ${JSON.stringify(checkNode)} for check ${JSON.stringify(checkId || name)} doesn't match register request node ${JSON.stringify(node)}`, f.path('Node'))
  }
  if (checkId === '' && name === '') throw new DefinitionError(`Missing check name: ${f.path('Name')} or ${f.path('CheckID')} is required`, f.path('Name'))
  const status = f.string('Status')
  if (status !== '' && !STATUSES.has(status)) {
    throw new DefinitionError(`Invalid check status ${JSON.stringify(status)} for ${f.path('Status')}: must be passing, warning or critical`, f.path('Status'))
  }
  const out: HealthCheckInput = {
    Node: node,
    CheckID: checkId || name,
    Name: name || checkId,
    Status: (status || 'critical') as HealthStatus,
    Notes: f.string('Notes'),
    Output: f.string('Output'),
    ServiceID: f.string('ServiceID'),
    Type: f.string('Type'),
  }
  const def = f.get('Definition')
  if (def !== undefined) out.Definition = definition(Fields.of(def, f.path('Definition'), f.path('Definition.')))
  const interval = f.duration('Interval')
  const timeout = f.duration('Timeout')
  if (interval) out.Interval = formatDuration(interval)
  if (timeout) out.Timeout = formatDuration(timeout)
  return out
}

function definition(f: Fields): CheckDefinitionView {
  const d: CheckDefinitionView = {}
  const dur = (k: 'Interval' | 'Timeout' | 'DeregisterCriticalServiceAfter' | 'TTL') => {
    const ms = f.duration(k)
    if (ms) d[k] = formatDuration(ms)
  }
  dur('Interval')
  dur('Timeout')
  dur('DeregisterCriticalServiceAfter')
  dur('TTL')
  const http = f.string('HTTP')
  if (http) d.HTTP = http
  const method = f.string('Method')
  if (method) d.Method = method
  const body = f.string('Body')
  if (body) d.Body = body
  if (f.bool('TLSSkipVerify')) d.TLSSkipVerify = true
  const tcp = f.string('TCP')
  if (tcp) d.TCP = tcp
  const args = f.strings('ScriptArgs', 'Args')
  if (args.length) d.ScriptArgs = args
  const header = f.get('Header')
  if (header !== undefined) {
    if (!isPlainObject(header)) throw f.typeError('Header', 'an object of string lists', header)
    d.Header = Object.fromEntries(Object.entries(header).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : [String(v)]]))
  }
  return d
}
