/**
 * Wire shapes of Consul's /v1 HTTP API as the client sees them (PascalCase, as
 * Consul renders JSON). Only fields the CLI or common tooling read are spelled
 * out; servers may send more.
 */

export interface KVPair {
  Key: string
  Flags: number
  /** Base64 of the value; null for an empty value. Use decodeValue() for bytes. */
  Value: string | null
  CreateIndex: number
  ModifyIndex: number
  LockIndex: number
  /** Holding session, absent when unlocked. */
  Session?: string
  Namespace?: string
  Partition?: string
}

/** /v1/agent/members: Status is serf's int (0 none, 1 alive, 2 leaving, 3 left, 4 failed). */
export interface AgentMember {
  Name: string
  Addr: string
  Port: number
  Tags: Record<string, string>
  Status: number
  ProtocolMin: number
  ProtocolMax: number
  ProtocolCur: number
  DelegateMin: number
  DelegateMax: number
  DelegateCur: number
}

export interface AgentSelf {
  Config: {
    Datacenter: string
    NodeName: string
    NodeID: string
    Server: boolean
    Version: string
    Revision?: string
    [k: string]: unknown
  }
  /** Sectioned debug stats: `{agent: {check_monitors: "0", ...}, raft: {...}}`. */
  Stats: Record<string, Record<string, string>>
  Member?: AgentMember
  Meta?: Record<string, string>
  [k: string]: unknown
}

export interface ServiceAddress {
  Address: string
  Port: number
}

export interface AgentService {
  Kind?: string
  ID: string
  Service: string
  Tags: string[] | null
  Meta: Record<string, string> | null
  Port: number
  Address: string
  TaggedAddresses?: Record<string, ServiceAddress>
  Weights?: {Passing: number; Warning: number}
  EnableTagOverride: boolean
  Datacenter?: string
  CreateIndex?: number
  ModifyIndex?: number
}

export interface AgentServiceCheck {
  CheckID?: string
  Name?: string
  Interval?: string
  Timeout?: string
  TTL?: string
  HTTP?: string
  Header?: Record<string, string[]>
  Method?: string
  Body?: string
  TCP?: string
  Args?: string[]
  Notes?: string
  Status?: string
  TLSSkipVerify?: boolean
  DeregisterCriticalServiceAfter?: string
  [k: string]: unknown
}

/** Body of PUT /v1/agent/service/register. */
export interface AgentServiceRegistration {
  Kind?: string
  ID?: string
  Name: string
  Tags?: string[]
  Port?: number
  Address?: string
  SocketPath?: string
  TaggedAddresses?: Record<string, ServiceAddress>
  EnableTagOverride?: boolean
  Meta?: Record<string, string>
  Weights?: {Passing: number; Warning: number}
  Check?: AgentServiceCheck
  Checks?: AgentServiceCheck[]
  [k: string]: unknown
}

export interface HealthCheck {
  Node: string
  CheckID: string
  Name: string
  Status: string
  Notes: string
  Output: string
  ServiceID: string
  ServiceName: string
  ServiceTags: string[] | null
  Type: string
  Definition?: Record<string, unknown>
  CreateIndex?: number
  ModifyIndex?: number
}

export interface CatalogNode {
  ID: string
  Node: string
  Address: string
  Datacenter: string
  TaggedAddresses: Record<string, string> | null
  Meta: Record<string, string> | null
  CreateIndex: number
  ModifyIndex: number
}

/** One flattened entry of /v1/catalog/service/:name. */
export interface CatalogService {
  ID: string
  Node: string
  Address: string
  Datacenter: string
  TaggedAddresses: Record<string, string> | null
  NodeMeta: Record<string, string> | null
  ServiceID: string
  ServiceName: string
  ServiceTags: string[] | null
  ServiceAddress: string
  ServicePort: number
  ServiceMeta: Record<string, string> | null
  ServiceWeights?: {Passing: number; Warning: number}
  ServiceEnableTagOverride: boolean
  CreateIndex: number
  ModifyIndex: number
}

/** /v1/catalog/node/:node; null when the node is unknown. */
export interface CatalogNodeServices {
  Node: CatalogNode
  Services: Record<string, AgentService>
}

export interface ServiceEntry {
  Node: CatalogNode
  Service: AgentService
  Checks: HealthCheck[]
}

export interface SessionEntry {
  ID: string
  Name: string
  Node: string
  LockDelay: number
  Behavior: 'release' | 'delete'
  TTL: string
  NodeChecks?: string[] | null
  ServiceChecks?: {ID: string}[] | null
  CreateIndex: number
  ModifyIndex: number
}

export interface SessionRequest {
  Name?: string
  Node?: string
  /** Duration string, e.g. "15s". */
  LockDelay?: string
  Behavior?: 'release' | 'delete'
  TTL?: string
  NodeChecks?: string[]
  ServiceChecks?: {ID: string}[]
}

/** One operation of PUT /v1/txn (KV shown in full; Node/Service/Check left open). */
export interface TxnOp {
  KV?: {Verb: string; Key: string; Value?: string; Flags?: number; Index?: number; Session?: string}
  Node?: Record<string, unknown>
  Service?: Record<string, unknown>
  Check?: Record<string, unknown>
}

export interface TxnResult {
  KV?: KVPair
  Node?: unknown
  Service?: unknown
  Check?: unknown
}

export interface TxnResponse {
  /** false when the server rolled the transaction back (HTTP 409). */
  Committed: boolean
  Results: TxnResult[] | null
  Errors: {OpIndex: number; What: string}[] | null
}

export interface RaftServer {
  ID: string
  Node: string
  Address: string
  Leader: boolean
  ProtocolVersion: string
  Voter: boolean
}

export interface RaftConfiguration {
  Servers: RaftServer[]
  Index: number
}

export interface ServerHealth {
  ID: string
  Name: string
  Address: string
  SerfStatus: string
  Version: string
  Leader: boolean
  LastContact: string
  LastTerm: number
  LastIndex: number
  Healthy: boolean
  Voter: boolean
  StableSince: string
}

export interface AutopilotHealth {
  Healthy: boolean
  FailureTolerance: number
  Servers: ServerHealth[]
}

/** Consul's api.AutopilotConfiguration (durations as Go strings, e.g. "200ms"). */
export interface AutopilotConfiguration {
  CleanupDeadServers: boolean
  LastContactThreshold: string
  MaxTrailingLogs: number
  MinQuorum: number
  ServerStabilizationTime: string
  RedundancyZoneTag: string
  DisableUpgradeMigration: boolean
  UpgradeVersionTag: string
  CreateIndex: number
  ModifyIndex: number
}

export interface AutopilotServer {
  ID: string
  Name: string
  Address: string
  NodeStatus: string
  Version: string
  LastContact: string
  LastTerm: number
  LastIndex: number
  Healthy: boolean
  StableSince: string
  ReadReplica: boolean
  Status: string
  Meta: Record<string, string> | null
  NodeType: string
  RedundancyZone?: string
  UpgradeVersion?: string
}

/** Consul's api.AutopilotState. */
export interface AutopilotState {
  Healthy: boolean
  FailureTolerance: number
  OptimisticFailureTolerance: number
  Servers: Record<string, AutopilotServer>
  Leader: string
  Voters: string[]
  ReadReplicas?: string[]
}

/** Bytes of a KV value (empty when Value is null). */
export function decodeValue(pair: Pick<KVPair, 'Value'>): Buffer {
  return pair.Value ? Buffer.from(pair.Value, 'base64') : Buffer.alloc(0)
}

/** One pool's answer in /v1/operator/keyring. */
export interface KeyringResponse {
  WAN: boolean
  Datacenter: string
  Segment: string
  Partition?: string
  Keys: Record<string, number>
  PrimaryKeys?: Record<string, number>
  NumNodes: number
  Messages?: Record<string, string>
}

/** A Consul user event (/v1/event/fire and /v1/event/list); Payload is base64 or null. */
export interface UserEvent {
  ID: string
  Name: string
  Payload: string | null
  NodeFilter: string
  ServiceFilter: string
  TagFilter: string
  Version: number
  LTime: number
}

/** A Vivaldi network coordinate (lengths in seconds). */
export interface Coord {
  Vec: number[]
  Error: number
  Adjustment: number
  Height: number
}

/** api.CoordinateEntry: /v1/coordinate/nodes, /node/:node, and the body of /update. */
export interface CoordinateEntry {
  Node: string
  Segment: string
  Partition?: string
  Coord: Coord
}

/** api.CoordinateDatacenterMap: /v1/coordinate/datacenters. */
export interface CoordinateDatacenterMap {
  Datacenter: string
  AreaID: string
  Coordinates: CoordinateEntry[]
}
