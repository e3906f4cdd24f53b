/**
 * Service and check definitions after decoding and validation (Consul's
 * structs.ServiceDefinition / CheckType), independent of how they were spelled
 * (API PascalCase, config-file snake_case). Durations are milliseconds; 0 = unset.
 */
/** The built-in kinds, and 'plugin': a check type some plugin registers (named in `pluginType`). */
export type CheckKind = 'ttl' | 'http' | 'tcp' | 'script' | 'alias' | 'plugin'

/** Initial status given in a definition; '' means Consul's default (critical). */
export type InitialStatus = '' | 'passing' | 'warning' | 'critical'

export interface CheckDefinition {
  /** '' until defaulted (from Name for standalone checks, `service:<id>[:n]` for service checks). */
  id: string
  name: string
  notes: string
  /** Service the check belongs to; '' for a node-level check. */
  serviceId: string
  status: InitialStatus
  kind: CheckKind
  /** For kind 'plugin': the type's name (`file-age`, `grpc`); '' otherwise. */
  pluginType: string
  /** For kind 'plugin': the definition's other fields, keys in snake_case. */
  pluginArgs: Record<string, unknown>
  intervalMs: number
  timeoutMs: number
  ttlMs: number
  deregisterCriticalServiceAfterMs: number
  http: string
  method: string
  header: Record<string, string[]>
  body: string
  tlsServerName: string
  tlsSkipVerify: boolean
  disableRedirects: boolean
  tcp: string
  scriptArgs: string[]
  aliasNode: string
  aliasService: string
  successBeforePassing: number
  failuresBeforeWarning: number
  failuresBeforeCritical: number
  outputMaxSize: number
}

export interface ServiceAddressDef {
  Address: string
  Port: number
}

export interface ServiceDefinition {
  /** '' (a typical service); mesh kinds are refused when decoding. */
  kind: ''
  /** Defaults to name. */
  id: string
  name: string
  tags: string[]
  address: string
  taggedAddresses: Record<string, ServiceAddressDef>
  meta: Record<string, string>
  port: number
  enableTagOverride: boolean
  weights: {Passing: number; Warning: number}
  /** `Check` first, then `Checks`, as Consul orders them. */
  checks: CheckDefinition[]
}

/** Consul's default output cap for check output (bytes). */
export const DEFAULT_OUTPUT_MAX_SIZE = 4096
