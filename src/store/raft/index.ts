/** Durable Raft storage: the RaftStore contract and its SQLite and memory implementations. */
export type {PersistBatch, RaftStore} from './types.js'
export {RaftStoreError, type RaftStoreErrorKind} from './errors.js'
export {SqliteRaftStore, type SqliteRaftStoreOptions} from './sqlite-store.js'
export {MemoryRaftDisk, MemoryRaftStore, type MemoryRaftStoreOptions} from './memory-store.js'
