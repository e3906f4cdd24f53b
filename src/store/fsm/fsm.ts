import {StateError} from '../state/errors.js'
import {dump, restore} from '../state/snapshot.js'
import {StateStore} from '../state/store.js'
import type {TxnResponse} from '../state/txn.js'
import {MessageType, decodeCommand, peekType, type Command} from './commands.js'
import {FsmError} from './errors.js'

/**
 * What apply returns, per command:
 *   kv → boolean (set/delete/delete-tree: true; cas/delete-cas/lock/unlock: whether it happened)
 *   session create → the session ID; destroy → true
 *   txn → {results, errors}
 *   register / deregister / tombstone-reap / coordinate-batch-update → true
 *   check-update → boolean (false: no such check)
 *   prepared-query → true
 *   autopilot → true, or for a CAS whether it was written
 *   system-metadata → true, or for `create` whether it was written
 *   any user error (missing node, invalid session, ...) → the StateError, returned, not thrown
 *   ignorable unknown type → undefined
 */
export type FsmResult = boolean | string | TxnResponse | StateError | undefined

type Handler = (cmd: Command, index: number) => FsmResult

/**
 * The replicated state machine: a deterministic function of (store, entry,
 * index). Dispatch is a table keyed by message type, built here.
 */
export class Fsm {
  #state: StateStore
  #lastIndex = 0
  #lastTerm = 0
  private readonly handlers: ReadonlyMap<number, Handler>

  constructor(state: StateStore = new StateStore()) {
    this.#state = state
    this.handlers = new Map<number, Handler>([
      [MessageType.Register, (c, i) => (c.type === 'register' ? this.register(c, i) : mismatch(c))],
      [MessageType.Deregister, (c, i) => (c.type === 'deregister' ? this.deregister(c, i) : mismatch(c))],
      [MessageType.KVS, (c, i) => (c.type === 'kv' ? this.kv(c, i) : mismatch(c))],
      [MessageType.Session, (c, i) => (c.type === 'session' ? this.session(c, i) : mismatch(c))],
      [MessageType.Tombstone, (c, i) => (c.type === 'tombstone-reap' ? this.reap(c, i) : mismatch(c))],
      [MessageType.Txn, (c, i) => (c.type === 'txn' ? this.#state.txn(i, c.ops, c.now) : mismatch(c))],
      [MessageType.CheckUpdate, (c, i) => (c.type === 'check-update' ? this.checkUpdate(c, i) : mismatch(c))],
      [MessageType.CoordinateBatchUpdate, (c, i) => (c.type === 'coordinate-batch-update' ? this.coordinates(c, i) : mismatch(c))],
      [MessageType.PreparedQuery, (c, i) => (c.type === 'prepared-query' ? this.preparedQuery(c, i) : mismatch(c))],
      [MessageType.Autopilot, (c, i) => (c.type === 'autopilot' ? this.autopilot(c, i) : mismatch(c))],
      [MessageType.SystemMetadata, (c, i) => (c.type === 'system-metadata' ? this.systemMetadata(c, i) : mismatch(c))],
    ])
  }

  /** The current store. Re-read it after a watch fires: a restore swaps it. */
  get state(): StateStore {
    return this.#state
  }

  get lastApplied(): {index: number; term: number} {
    return {index: this.#lastIndex, term: this.#lastTerm}
  }

  /** Apply one committed entry. Throws FsmError only when the server must stop. */
  apply(index: number, term: number, data: Uint8Array): FsmResult {
    if (index <= this.#lastIndex) {
      throw new FsmError('order', `apply of index ${index} after index ${this.#lastIndex}`)
    }
    const {type, ignorable} = peekType(data)
    const handler = this.handlers.get(type)
    let result: FsmResult
    if (!handler) {
      if (!ignorable) throw new FsmError('unknown-type', `failed to apply request: unknown message type ${type}`)
      result = undefined
    } else {
      const cmd = decodeCommand(data)
      try {
        result = handler(cmd, index)
      } catch (err) {
        if (!(err instanceof StateError)) {
          throw new FsmError('apply', `failed to apply ${cmd.type} at index ${index}: ${(err as Error).message}`, {cause: err})
        }
        result = err
      }
    }
    this.#lastIndex = index
    this.#lastTerm = term
    return result
  }

  /** A point-in-time dump of the whole store. */
  snapshot(): Uint8Array {
    return dump(this.#state)
  }

  /**
   * Replace the store with one built from a snapshot, then wake everyone parked on the
   * old one. Empty data is the empty state (Raft's bootstrap snapshot carries only
   * membership), as the raft Fsm contract says.
   */
  restore(data: Uint8Array, index: number, term: number): void {
    let next: StateStore
    try {
      next = data.length === 0 ? new StateStore() : restore(data)
    } catch (err) {
      throw new FsmError('restore', `failed to restore snapshot: ${(err as Error).message}`, {cause: err})
    }
    const old = this.#state
    this.#state = next
    this.#lastIndex = index
    this.#lastTerm = term
    old.abandon()
  }

  private register(c: Extract<Command, {type: 'register'}>, index: number): FsmResult {
    this.#state.ensureRegistration(index, c.req, c.now ?? 0)
    return true
  }

  private deregister(c: Extract<Command, {type: 'deregister'}>, index: number): FsmResult {
    this.#state.deregister(index, c.req, c.now ?? 0)
    return true
  }

  private kv(c: Extract<Command, {type: 'kv'}>, index: number): FsmResult {
    const s = this.#state
    switch (c.op) {
      case 'set':
        s.kvSet(index, c.entry)
        return true
      case 'cas':
        return s.kvSetCAS(index, c.entry, c.cas ?? 0)
      case 'lock':
        return s.kvLock(index, c.entry, c.session ?? '', c.now)
      case 'unlock':
        return s.kvUnlock(index, c.entry, c.session ?? '')
      case 'delete':
        s.kvDelete(index, c.entry.Key)
        return true
      case 'delete-cas':
        return s.kvDeleteCAS(index, c.cas ?? 0, c.entry.Key)
      case 'delete-tree':
        s.kvDeleteTree(index, c.entry.Key)
        return true
      default:
        return new StateError('invalid', `Invalid KVS operation '${String((c as {op: unknown}).op)}'`)
    }
  }

  private session(c: Extract<Command, {type: 'session'}>, index: number): FsmResult {
    if (c.op === 'create') return this.#state.sessionCreate(index, c.session).ID
    if (c.op === 'destroy') {
      this.#state.sessionDestroy(index, c.session.ID, c.now)
      return true
    }
    return new StateError('invalid', `Invalid Session operation '${String((c as {op: unknown}).op)}'`)
  }

  private reap(c: Extract<Command, {type: 'tombstone-reap'}>, index: number): FsmResult {
    this.#state.reapTombstones(index, c.upTo)
    return true
  }

  private coordinates(c: Extract<Command, {type: 'coordinate-batch-update'}>, index: number): FsmResult {
    if (!Array.isArray(c.updates)) return new StateError('invalid', 'Invalid coordinate batch: updates is not a list')
    this.#state.coordinateBatchUpdate(index, c.updates)
    return true
  }

  private preparedQuery(c: Extract<Command, {type: 'prepared-query'}>, index: number): FsmResult {
    if (c.op === 'create' || c.op === 'update') {
      this.#state.preparedQuerySet(index, c.query)
      return true
    }
    if (c.op === 'delete') {
      this.#state.preparedQueryDelete(index, c.query.ID)
      return true
    }
    return new StateError('invalid', `Unknown prepared query operation: ${String((c as {op: unknown}).op)}`)
  }

  private autopilot(c: Extract<Command, {type: 'autopilot'}>, index: number): FsmResult {
    if (c.config === null || typeof c.config !== 'object') return new StateError('invalid', 'Invalid autopilot configuration')
    if (c.cas !== undefined) return this.#state.autopilotCASConfig(index, c.cas, c.config)
    this.#state.autopilotSetConfig(index, c.config)
    return true
  }

  private systemMetadata(c: Extract<Command, {type: 'system-metadata'}>, index: number): FsmResult {
    const key = (c.entry as {Key?: unknown} | null)?.Key
    if (typeof key !== 'string' || key === '') return new StateError('invalid', 'Invalid system metadata entry')
    if (c.op === 'delete') {
      this.#state.systemMetadataDelete(index, key)
      return true
    }
    const value = (c.entry as {Value?: unknown}).Value
    if (typeof value !== 'string' || (c.op !== 'upsert' && c.op !== 'create')) return new StateError('invalid', `Invalid system metadata operation: ${String(c.op)}`)
    return this.#state.systemMetadataSet(index, {Key: key, Value: value}, c.op === 'create')
  }

  private checkUpdate(c: Extract<Command, {type: 'check-update'}>, index: number): FsmResult {
    return this.#state.updateCheckStatus(index, c.node, c.checkId, c.status, c.output, c.now)
  }
}

function mismatch(c: Command): never {
  throw new FsmError('decode', `failed to decode request: unexpected ${c.type} payload`)
}
