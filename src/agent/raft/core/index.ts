/**
 * The pure Raft core (etcd raft's shape). Drivers use RawNode + a Storage; tests and the
 * simulator use MemoryStorage. See RawNode and Ready (types.ts) for the driver contract and
 * conf-change.ts for bootstrapping a new group.
 */
export {RawNode, type Status} from './raw-node.js'
export type {RaftConfig} from './config.js'
export {MemoryStorage} from './memory-storage.js'
export {RaftError, ProposalDroppedError, type RaftErrorKind} from './errors.js'
export {
  bootstrapConfState,
  bootstrapSnapshot,
  BOOTSTRAP_INDEX,
  BOOTSTRAP_TERM,
  encodeConfChange,
  decodeConfChange,
  confChangeOf,
  applyToConfState,
} from './conf-change.js'
export {entrySize, limitSize, ENTRY_OVERHEAD_BYTES} from './entries.js'
export type {ProgressState} from './progress.js'
export * from './types.js'
