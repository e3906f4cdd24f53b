import {decodeJson, encodeJson, fromUtf8, utf8} from '../state/json-bytes.js'
import type {DeregisterRequest, KVInput, RegisterRequest, SessionInput} from '../state/requests.js'
import type {TxnOp} from '../state/txn.js'
import type {PreparedQuery} from '../state/query-types.js'
import type {AutopilotConfigInput, CoordinateEntry, HealthStatus} from '../state/types.js'
import {FsmError} from './errors.js'

/**
 * Raft log entry types. The first byte of an entry is the type; Consul's
 * numbers are kept where Consul has the command, dc-only commands start at 100.
 * A type with IGNORE_UNKNOWN_FLAG set may be skipped by servers that do not
 * know it (how new commands roll out); without it an unknown type stops the node.
 */
export const MessageType = {
  Register: 0,
  Deregister: 1,
  KVS: 2,
  Session: 3,
  Tombstone: 5,
  CoordinateBatchUpdate: 6,
  PreparedQuery: 7,
  Txn: 8,
  Autopilot: 9,
  SystemMetadata: 31,
  CheckUpdate: 100,
} as const
export type MessageType = (typeof MessageType)[keyof typeof MessageType]

export const IGNORE_UNKNOWN_FLAG = 128

export type KvOp = 'set' | 'cas' | 'lock' | 'unlock' | 'delete' | 'delete-cas' | 'delete-tree'

/**
 * `now` is the leader's wall-clock ms when it proposed the command (the same
 * clock on every server that may lead): lock-delays are computed from it.
 */
export interface KvCommand {
  type: 'kv'
  op: KvOp
  /** For delete / delete-tree only Key is read (the prefix for delete-tree). */
  entry: KVInput
  /** cas / delete-cas: the expected ModifyIndex (0 = create only, for cas). */
  cas?: number
  /** lock / unlock: the session. */
  session?: string
  now: number
}

export type SessionCommand =
  | {type: 'session'; op: 'create'; session: SessionInput; now: number}
  | {type: 'session'; op: 'destroy'; session: {ID: string}; now: number}

export interface TxnCommand {
  type: 'txn'
  ops: TxnOp[]
  now: number
}

export interface RegisterCommand {
  type: 'register'
  req: RegisterRequest
  /** Needed when a critical check invalidates sessions (lock-delay); 0 if omitted. */
  now?: number
}

export interface DeregisterCommand {
  type: 'deregister'
  req: DeregisterRequest
  now?: number
}

export interface CheckUpdateCommand {
  type: 'check-update'
  node: string
  checkId: string
  status: HealthStatus
  output: string
  now: number
}

export interface TombstoneReapCommand {
  type: 'tombstone-reap'
  upTo: number
}

/** Network coordinates reported by agents, applied in batches (Consul's structs.Coordinates). */
export interface CoordinateBatchUpdateCommand {
  type: 'coordinate-batch-update'
  updates: CoordinateEntry[]
}

/** Consul's PreparedQueryRequest: create/update carry the whole query (ID minted by the endpoint), delete only its ID. */
export type PreparedQueryCommand =
  | {type: 'prepared-query'; op: 'create' | 'update'; query: PreparedQuery}
  | {type: 'prepared-query'; op: 'delete'; query: {ID: string}}
/**
 * Consul's AutopilotSetConfigRequest: write the configuration, or with `cas` only when
 * the stored ModifyIndex equals it.
 */
export interface AutopilotCommand {
  type: 'autopilot'
  config: AutopilotConfigInput
  cas?: number
}

/**
 * Consul's SystemMetadataRequest (upsert / delete of the servers' own key/values), plus
 * dc's `create`: set only when the key is absent (a value chosen once, e.g. the cluster ID).
 */
export type SystemMetadataCommand =
  | {type: 'system-metadata'; op: 'upsert' | 'create'; entry: {Key: string; Value: string}}
  | {type: 'system-metadata'; op: 'delete'; entry: {Key: string}}

export type Command =
  | KvCommand
  | SessionCommand
  | TxnCommand
  | RegisterCommand
  | DeregisterCommand
  | CheckUpdateCommand
  | TombstoneReapCommand
  | CoordinateBatchUpdateCommand
  | PreparedQueryCommand
  | AutopilotCommand
  | SystemMetadataCommand

const TYPE_OF: Record<Command['type'], MessageType> = {
  'kv': MessageType.KVS,
  'session': MessageType.Session,
  'txn': MessageType.Txn,
  'register': MessageType.Register,
  'deregister': MessageType.Deregister,
  'check-update': MessageType.CheckUpdate,
  'tombstone-reap': MessageType.Tombstone,
  'coordinate-batch-update': MessageType.CoordinateBatchUpdate,
  'prepared-query': MessageType.PreparedQuery,
  'autopilot': MessageType.Autopilot,
  'system-metadata': MessageType.SystemMetadata,
}

export function messageTypeOfCommand(cmd: Command): MessageType {
  return TYPE_OF[cmd.type]
}

/**
 * Commands always written with the ignore flag, as Consul writes them: losing one on a
 * server that predates it costs nothing that the next report does not restore.
 */
const ALWAYS_IGNORABLE: ReadonlySet<Command['type']> = new Set(['coordinate-batch-update', 'system-metadata'])

/** Encode a command: type byte (with the ignore flag if asked or always set for the type), then JSON with byte-exact values. */
export function encodeCommand(cmd: Command, opts: {ignorable?: boolean} = {}): Uint8Array {
  const ignorable = opts.ignorable ?? ALWAYS_IGNORABLE.has(cmd.type)
  return encodeRaw(TYPE_OF[cmd.type] | (ignorable ? IGNORE_UNKNOWN_FLAG : 0), cmd)
}

/** Encode any payload under any type byte (tests, and rolling out new types). */
export function encodeRaw(typeByte: number, payload: unknown): Uint8Array {
  if (!Number.isInteger(typeByte) || typeByte < 0 || typeByte > 255) throw new RangeError(`bad message type ${typeByte}`)
  const body = utf8(encodeJson(payload))
  const out = new Uint8Array(1 + body.length)
  out[0] = typeByte
  out.set(body, 1)
  return out
}

/** The entry's type (flag stripped) and whether it is marked ignorable. */
export function peekType(data: Uint8Array): {type: number; ignorable: boolean} {
  if (data.length === 0) throw new FsmError('decode', 'failed to decode request: empty log entry')
  const b = data[0]!
  return {type: b & ~IGNORE_UNKNOWN_FLAG, ignorable: (b & IGNORE_UNKNOWN_FLAG) !== 0}
}

/** Decode an entry into a known command; FsmError for unknown types or malformed payloads. */
export function decodeCommand(data: Uint8Array): Command {
  const {type} = peekType(data)
  const name = (Object.keys(TYPE_OF) as Command['type'][]).find((k) => TYPE_OF[k] === type)
  if (!name) throw new FsmError('unknown-type', `failed to apply request: unknown message type ${type}`)
  let cmd: unknown
  try {
    cmd = decodeJson(fromUtf8(data.subarray(1)))
  } catch (err) {
    throw new FsmError('decode', `failed to decode request: ${(err as Error).message}`, {cause: err})
  }
  if (cmd === null || typeof cmd !== 'object' || (cmd as {type?: unknown}).type !== name) {
    throw new FsmError('decode', `failed to decode request: payload is not a ${name} command`)
  }
  return cmd as Command
}
