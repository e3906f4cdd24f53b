import type {Logger} from '../env/types.js'
import type {Command} from '../../store/fsm/commands.js'
import type {StateStore} from '../../store/state/store.js'
import {utf8} from '../../store/state/json-bytes.js'

/**
 * Where a cluster keeps its identity: a KV key under dc's reserved `_dc/` prefix (beside
 * `_dc/replication/`), so it lives in the replicated state, survives snapshots, restarts
 * and leader changes, and is equal on every server of the cluster.
 */
export const CLUSTER_ID_KEY = '_dc/cluster-id'

/** What a stored identity may look like (a UUID as minted here; anything else is ignored). */
const VALID = /^[A-Za-z0-9-]{1,64}$/

export interface ClusterIdentityDeps {
  log: Logger
  state(): StateStore
  isLeader(): boolean
  apply(cmd: Command): Promise<unknown>
  /** A fresh random ID (env.random.uuid: deterministic in the simulator). */
  mint(): string
  wallMs(): number
  /** Called with the identity when it is first known and whenever the stored one changes. */
  onChange(id: string): void
}

/**
 * The identity of this server's Raft cluster. The first leader that finds none stores a
 * random one through Raft, created only if the key is still absent (a CAS on index 0), so
 * two leaders racing after an election cannot both win; every server then reads it from
 * its own copy of the state. Why not derive it from the Raft configuration's first entry:
 * that entry is gone from a server that joined through a snapshot, and the first entry of
 * two lone `-bootstrap` servers looks the same (index 1, term 1) apart from the server ID,
 * so it would need storing anyway.
 */
export class ClusterIdentity {
  private id?: string
  private writing = false
  private warnedInvalid = false

  constructor(private readonly d: ClusterIdentityDeps) {}

  get current(): string | undefined {
    return this.id
  }

  /** One pass: adopt the stored identity; on the leader, store one when there is none. */
  check(): void {
    const entry = this.d.state().kvGet(CLUSTER_ID_KEY).entry
    if (entry) {
      const value = Buffer.from(entry.Value.buffer, entry.Value.byteOffset, entry.Value.byteLength).toString('utf8')
      if (!VALID.test(value)) {
        if (!this.warnedInvalid) this.d.log.warn(`ignoring ${CLUSTER_ID_KEY}: not a cluster ID (delete the key and the leader stores a new one)`)
        this.warnedInvalid = true
        return
      }
      this.warnedInvalid = false
      if (value !== this.id) {
        if (this.id) this.d.log.warn('this cluster\'s ID changed', {from: this.id, to: value})
        this.id = value
        this.d.onChange(value)
      }
      return
    }
    // Kept when the key was deleted: the leader stores a new one, which then replaces it.
    if (!this.d.isLeader() || this.writing) return
    this.writing = true
    const id = this.d.mint()
    this.d.apply({type: 'kv', op: 'cas', cas: 0, entry: {Key: CLUSTER_ID_KEY, Value: utf8(id)}, now: this.d.wallMs()}).then(
      (ok) => {
        if (ok === true) this.d.log.info('stored this cluster\'s ID', {cluster_id: id})
      },
      (e) => this.d.log.debug('could not store the cluster ID yet; will retry', {error: String(e)}),
    ).finally(() => {
      this.writing = false
      this.check()
    })
  }
}
