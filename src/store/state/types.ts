/**
 * Records held by the replicated state store, in Consul's shapes (field names as
 * the HTTP API renders them). Every record carries the Raft indexes at which it
 * was created and last modified; the store never mints an index itself.
 */
export interface RaftIndex {
  CreateIndex: number
  ModifyIndex: number
}

export interface KVEntry extends RaftIndex {
  Key: string
  Flags: number
  /** Raw bytes; the HTTP layer base64-encodes (an empty value renders as null, as Consul does). */
  Value: Uint8Array
  LockIndex: number
  /** Holding session id, or undefined when unlocked. */
  Session?: string
}

export type SessionBehavior = 'release' | 'delete'

export interface Session extends RaftIndex {
  ID: string
  Name: string
  Node: string
  /** Lock delay in nanoseconds, as Consul's API renders it (default 15s = 15e9). */
  LockDelay: number
  Behavior: SessionBehavior
  /** e.g. "30s"; empty string when no TTL. */
  TTL: string
  NodeChecks: string[]
  ServiceChecks: {ID: string; Namespace?: string}[]
}

export interface Node extends RaftIndex {
  ID: string
  Node: string
  Address: string
  Datacenter: string
  TaggedAddresses: Record<string, string>
  Meta: Record<string, string>
}

export interface ServiceWeights {
  Passing: number
  Warning: number
}

export interface ServiceAddress {
  Address: string
  Port: number
}

/** A service instance registered on a node (Consul's structs.ServiceNode, agent form). */
export interface NodeService extends RaftIndex {
  Kind: string
  ID: string
  Service: string
  Tags: string[]
  Address: string
  TaggedAddresses: Record<string, ServiceAddress>
  Meta: Record<string, string>
  Port: number
  Weights: ServiceWeights
  EnableTagOverride: boolean
}

export type HealthStatus = 'passing' | 'warning' | 'critical' | 'maintenance'

export interface CheckDefinitionView {
  Interval?: string
  Timeout?: string
  DeregisterCriticalServiceAfter?: string
  HTTP?: string
  Header?: Record<string, string[]>
  Method?: string
  Body?: string
  TLSSkipVerify?: boolean
  TCP?: string
  TTL?: string
  ScriptArgs?: string[]
}

export interface HealthCheck extends RaftIndex {
  Node: string
  CheckID: string
  Name: string
  Status: HealthStatus
  Notes: string
  Output: string
  ServiceID: string
  ServiceName: string
  ServiceTags: string[]
  Type: string
  Definition: CheckDefinitionView
  ExposedPort?: number
  Interval?: string
  Timeout?: string
}

/** One instance as the health endpoint and DNS see it: node, service and every relevant check (node + service). */
export interface CheckServiceNode {
  Node: Node
  Service: NodeService
  Checks: HealthCheck[]
}

/** A KV tombstone (graveyard entry): keeps list indexes monotonic across deletes. */
export interface Tombstone {
  Key: string
  Index: number
}

/** A read result: the Raft index to answer as X-Consul-Index, and the value. */
export interface Indexed<T> {
  index: number
  value: T
}

/** One service instance with its node (what /v1/catalog/service flattens into Consul's ServiceNode). */
export interface ServiceNodeRow {
  Node: Node
  Service: NodeService
}

/** Consul's structs.ServiceNode, the flat row /v1/catalog/service/:name returns. */
export interface ServiceNode {
  ID: string
  Node: string
  Address: string
  Datacenter: string
  TaggedAddresses: Record<string, string>
  NodeMeta: Record<string, string>
  ServiceKind: string
  ServiceID: string
  ServiceName: string
  ServiceTags: string[]
  ServiceAddress: string
  ServiceTaggedAddresses: Record<string, ServiceAddress>
  ServiceWeights: ServiceWeights
  ServiceMeta: Record<string, string>
  ServicePort: number
  ServiceEnableTagOverride: boolean
  CreateIndex: number
  ModifyIndex: number
}

/** A node and the services registered on it, ordered by service ID. */
export interface NodeServices {
  Node: Node
  Services: NodeService[]
}

/**
 * A Vivaldi network coordinate (Serf's shape; lengths in seconds). The store keeps it
 * opaque apart from rejecting non-finite numbers.
 */
export interface NetworkCoordinate {
  Vec: number[]
  Error: number
  Adjustment: number
  Height: number
}

/** One node's coordinate in one network segment ("" = the default LAN segment). */
export interface CoordinateEntry {
  Node: string
  Segment: string
  Coord: NetworkCoordinate
}

/**
 * Consul's autopilot configuration (structs.AutopilotConfig), one row, replicated through
 * Raft. Durations are milliseconds here; the HTTP layer renders them as Go durations.
 * The enterprise-only fields are kept and echoed back, as Consul CE does.
 */
export interface AutopilotConfig extends RaftIndex {
  CleanupDeadServers: boolean
  LastContactThresholdMs: number
  MaxTrailingLogs: number
  MinQuorum: number
  ServerStabilizationTimeMs: number
  RedundancyZoneTag: string
  DisableUpgradeMigration: boolean
  UpgradeVersionTag: string
}

/** An autopilot configuration as written (the indexes are the store's to set). */
export type AutopilotConfigInput = Omit<AutopilotConfig, 'CreateIndex' | 'ModifyIndex'>
