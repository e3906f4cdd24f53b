import {readFileSync} from 'node:fs'
import type {AgentServiceRegistration} from '../api/client.js'

/**
 * Service definitions from agent config files (`{"service": {...}}` or
 * `{"services": [...]}`), turned into the PascalCase body of
 * /v1/agent/service/register. Config files use snake_case (`enable_tag_override`);
 * user-chosen keys under meta/header/tagged_addresses are kept verbatim.
 * JSON only: HCL files are rejected with a clear message.
 */
export function servicesFromFiles(paths: readonly string[]): AgentServiceRegistration[] {
  return paths.flatMap((p) => servicesFromText(readFile(p), p))
}

export function servicesFromText(text: string, source: string): AgentServiceRegistration[] {
  if (/\.hcl$/i.test(source)) throw new Error(`${source}: HCL service definitions are not supported yet; use JSON`)
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    throw new Error(`${source}: invalid JSON: ${(e as Error).message}`)
  }
  if (!isObject(doc)) throw new Error(`${source}: expected a JSON object with "service" or "services"`)
  const raw: unknown[] = []
  for (const [k, v] of Object.entries(doc)) {
    const key = k.toLowerCase()
    if (key === 'service') raw.push(v)
    else if (key === 'services') raw.push(...(Array.isArray(v) ? v : [v]))
  }
  if (raw.length === 0) throw new Error(`${source}: no "service" or "services" definition found`)
  return raw.map((r, i) => {
    if (!isObject(r)) throw new Error(`${source}: service ${i} is not an object`)
    const reg = translate(r) as AgentServiceRegistration
    if (typeof reg.Name !== 'string' || reg.Name === '') throw new Error(`${source}: service ${i} has no name`)
    return reg
  })
}

/** -name/-id/... flag values fill what a file left unset (Consul's CombineArgs). */
export function combineWithFlags(file: AgentServiceRegistration, flags: Partial<AgentServiceRegistration>): AgentServiceRegistration {
  const out: AgentServiceRegistration = {...file}
  for (const k of ['ID', 'Name', 'Address', 'Port', 'Kind', 'SocketPath'] as const) {
    if (flags[k] && !out[k]) (out as Record<string, unknown>)[k] = flags[k]
  }
  out.Meta = {...(out.Meta ?? {}), ...(flags.Meta ?? {})}
  out.TaggedAddresses = {...(out.TaggedAddresses ?? {}), ...(flags.TaggedAddresses ?? {})}
  out.Tags = [...(out.Tags ?? []), ...(flags.Tags ?? [])]
  return out
}

// Keys whose PascalCase is not a plain capitalisation of their snake_case parts.
const IRREGULAR: Record<string, string> = {
  id: 'ID',
  check_id: 'CheckID',
  checkid: 'CheckID',
  service_id: 'ServiceID',
  serviceid: 'ServiceID',
  http: 'HTTP',
  tcp: 'TCP',
  udp: 'UDP',
  ttl: 'TTL',
  grpc: 'GRPC',
  grpc_use_tls: 'GRPCUseTLS',
  h2ping: 'H2PING',
  h2ping_use_tls: 'H2PingUseTLS',
  tls_skip_verify: 'TLSSkipVerify',
  tls_server_name: 'TLSServerName',
  docker_container_id: 'DockerContainerID',
  script_args: 'ScriptArgs',
}
// Maps whose keys the user chose; their values are copied as they are (except tagged addresses).
const VERBATIM = new Set(['Meta', 'Header', 'NodeMeta'])

function pascal(key: string): string {
  const lower = key.toLowerCase()
  if (IRREGULAR[lower]) return IRREGULAR[lower]
  if (!key.includes('_')) return key.charAt(0).toUpperCase() + key.slice(1)
  return key.split('_').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('')
}

function translate(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(translate)
  if (!isObject(v)) return v
  const out: Record<string, unknown> = {}
  for (const [k, val] of Object.entries(v)) {
    const key = pascal(k)
    if (VERBATIM.has(key)) out[key] = val
    else if (key === 'TaggedAddresses' && isObject(val)) {
      out[key] = Object.fromEntries(Object.entries(val).map(([name, addr]) => [name, translate(addr)]))
    } else out[key] = translate(val)
  }
  return out
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function readFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`)
  }
}
