/** Public API of the FSM (import from here). */
export {Fsm, type FsmResult} from './fsm.js'
export {FsmError, type FsmErrorCode} from './errors.js'
export {
  MessageType,
  IGNORE_UNKNOWN_FLAG,
  encodeCommand,
  encodeRaw,
  decodeCommand,
  peekType,
  messageTypeOfCommand,
  type Command,
  type KvCommand,
  type KvOp,
  type SessionCommand,
  type TxnCommand,
  type RegisterCommand,
  type DeregisterCommand,
  type CheckUpdateCommand,
  type TombstoneReapCommand,
  type CoordinateBatchUpdateCommand,
  type PreparedQueryCommand,
} from './commands.js'
