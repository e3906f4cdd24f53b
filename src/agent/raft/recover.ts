import {EntryType, type ConfState} from './core/types.js'
import type {RaftStore} from '../../store/raft/types.js'
import type {Fsm} from './fsm.js'

/**
 * Outage recovery (hashicorp/raft's RecoverCluster), run on a stopped server before its
 * RaftNode starts: rebuilds the state from the newest snapshot plus EVERY entry in the
 * log (committed or not: the operator chose this server's log as the one to keep), saves
 * it as a snapshot whose membership is `conf`, and drops the whole log, so no older
 * membership entry can come back. Term and vote are kept; the commit index moves to the
 * new snapshot. `fsm` must be a fresh, empty state machine used only for this.
 * Returns the index and term of the recovery snapshot.
 */
export function recoverCluster(store: RaftStore, fsm: Fsm, conf: ConfState): {index: number; term: number} {
  if (conf.voters.length === 0) throw new Error('need at least one voter in configuration')
  const snap = store.latestSnapshot()
  let index = 0
  let term = 0
  if (snap) {
    fsm.restore(snap.data, snap.meta.index, snap.meta.term)
    index = snap.meta.index
    term = snap.meta.term
  }
  const last = store.lastIndex()
  if (last > index) {
    for (const e of store.entries(Math.max(index + 1, store.firstIndex()), last + 1)) {
      if (e.type === EntryType.Normal && e.data.byteLength > 0) fsm.apply(e.index, e.term, e.data)
      index = e.index
      term = e.term
    }
  }
  const {hardState} = store.initialState()
  if (index === 0 || (snap !== undefined && index === snap.meta.index)) {
    // Nothing after the snapshot: the recovery snapshot must still be newer than it, so
    // it goes one index further, over an empty entry (the same no-op a new leader appends).
    term = Math.max(term, hardState.term, 1)
    store.persist({entries: [{index: index + 1, term, type: EntryType.Normal, data: new Uint8Array(0)}]})
    index += 1
  }
  const data = fsm.snapshot()
  store.persist({
    snapshot: {meta: {index, term, conf: {voters: [...conf.voters], learners: [...conf.learners]}}, data},
    entries: [],
    hardState: {term: Math.max(hardState.term, term), vote: hardState.vote, commit: index},
  })
  return {index, term}
}
