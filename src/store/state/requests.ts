import type {CheckDefinitionView, HealthStatus, ServiceAddress, ServiceWeights} from './types.js'

/**
 * Write inputs, in Consul's request shapes. Optional fields take Consul's
 * defaults when the store turns them into records (normalize.ts).
 */

/** A KV write (Consul's DirEntry as the endpoints build it). */
export interface KVInput {
  Key: string
  Flags?: number
  /** Copied on write; the caller may reuse its buffer. */
  Value?: Uint8Array
  /** A plain set stores this as given (Consul resets LockIndex to 0 on a plain PUT). */
  LockIndex?: number
}

export interface SessionInput {
  /** Minted by the endpoint (leader), never by the store. */
  ID: string
  Name?: string
  Node: string
  /** Nanoseconds; capped at 60s when applied. */
  LockDelay?: number
  /** '' or undefined → 'release'. */
  Behavior?: string
  TTL?: string
  /** Checks that must exist and not be critical; the HTTP layer defaults this to ['serfHealth']. */
  NodeChecks?: string[]
  ServiceChecks?: {ID: string; Namespace?: string}[]
}

export interface NodeServiceInput {
  /** Defaults to Service. */
  ID?: string
  Service: string
  Kind?: string
  Tags?: string[]
  Address?: string
  TaggedAddresses?: Record<string, ServiceAddress>
  Meta?: Record<string, string>
  Port?: number
  /** Defaults to {Passing: 1, Warning: 1}. */
  Weights?: ServiceWeights
  EnableTagOverride?: boolean
  /** Only read by txn cas / delete-cas. */
  ModifyIndex?: number
}

export interface HealthCheckInput {
  /** Defaults to the request's node. */
  Node?: string
  /** Defaults to Name. */
  CheckID?: string
  Name?: string
  /** Defaults to 'critical', as Consul does. */
  Status?: HealthStatus | ''
  Notes?: string
  Output?: string
  ServiceID?: string
  /** Overwritten from the service when ServiceID is set. */
  ServiceName?: string
  ServiceTags?: string[]
  Type?: string
  Definition?: CheckDefinitionView
  ExposedPort?: number
  Interval?: string
  Timeout?: string
  /** Only read by txn cas / delete-cas. */
  ModifyIndex?: number
}

/** Consul's structs.RegisterRequest (catalog register). */
export interface RegisterRequest {
  ID?: string
  Node: string
  Address?: string
  Datacenter?: string
  TaggedAddresses?: Record<string, string>
  NodeMeta?: Record<string, string>
  Service?: NodeServiceInput
  Check?: HealthCheckInput
  Checks?: HealthCheckInput[]
  /** Do not touch the node record when it already exists (anti-entropy service/check syncs). */
  SkipNodeUpdate?: boolean
}

/** Consul's structs.DeregisterRequest: ServiceID wins over CheckID, neither means the whole node. */
export interface DeregisterRequest {
  Node: string
  ServiceID?: string
  CheckID?: string
}

/** A node as the txn Node verbs carry it. */
export interface NodeInput {
  ID?: string
  Node: string
  Address?: string
  Datacenter?: string
  TaggedAddresses?: Record<string, string>
  Meta?: Record<string, string>
  /** Only read by cas / delete-cas. */
  ModifyIndex?: number
}
