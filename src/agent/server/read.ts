import type {Env} from '../env/types.js'
import {blockingRead, type Indexed} from './blocking.js'
import {parseQueryOptions, type QueryOptions} from '../http/query-options.js'
import type {HttpRequest, QueryMeta} from '../http/types.js'
import {HttpError} from '../http/errors.js'
import type {StateStore} from '../../store/state/store.js'
import {WatchSet} from '../../store/state/watch.js'
import type {Raft} from './raft.js'

/**
 * Reads with Consul's consistency modes. default: the leader answers from its state
 * (a single server is always its own leader); consistent: a ReadIndex round first;
 * stale: local state, no leader needed. Blocking waits ride on the store's watches.
 */
export function makeReader(env: Env, raft: Raft, defaults: {defaultQueryTimeMs: number; maxQueryTimeMs: number}) {
  const queryOptions = (req: HttpRequest) => parseQueryOptions(req, defaults)
  const watch = {
    newWatchSet: () => new WatchSet(),
    wait: (ws: WatchSet, cb: () => void) => raft.state.hub.wait(ws, cb),
  }
  async function read<T>(req: HttpRequest, fn: (s: StateStore, ws: WatchSet | undefined) => Indexed<T>, opts?: QueryOptions): Promise<{value: T; meta: QueryMeta}> {
    const o = opts ?? queryOptions(req)
    if (o.consistency === 'consistent') await raft.verifyLeader()
    else if (o.consistency === 'default' && !raft.isLeader()) throw new HttpError(500, 'No cluster leader')
    const r = await blockingRead(env, watch, o, (ws) => fn(raft.state, ws), req.signal)
    return {
      value: r.value,
      meta: {
        index: r.index,
        knownLeader: raft.hasLeader(),
        lastContactMs: raft.lastContactMs(),
        consistency: o.consistency === 'default' ? 'leader' : o.consistency,
      },
    }
  }
  return {read, queryOptions}
}
