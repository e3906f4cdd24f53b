import type {Logger} from '../env/types.js'
import type {Command} from '../../store/fsm/commands.js'
import type {StateStore} from '../../store/state/store.js'

/**
 * Where a cluster keeps its identity: a key of the system metadata table (Consul's table
 * of the servers' own key/values, written through Raft), so it survives snapshots,
 * restarts and leader changes, is equal on every server of the cluster, and is not user
 * data (a KV key would show in every `kv export` and move the KV index).
 */
export const CLUSTER_ID_KEY = 'cluster-id'

export interface ClusterIdentityDeps {
  log: Logger
  state(): StateStore
  isLeader(): boolean
  apply(cmd: Command): Promise<unknown>
  /** A fresh random ID (env.random.uuid: deterministic in the simulator). */
  mint(): string
  /** Called with the identity when it is first known and whenever the stored one changes. */
  onChange(id: string): void
}

/**
 * The identity of this server's Raft cluster. The first leader that finds none stores a
 * random one through Raft, created only if the key is still absent (dc's `create` op), so
 * two leaders racing after an election cannot both win; every server then reads it from
 * its own copy of the state. Why not derive it from the Raft configuration's first entry:
 * that entry is gone from a server that joined through a snapshot, and the first entry of
 * two lone `-bootstrap` servers looks the same (index 1, term 1) apart from the server ID,
 * so it would need storing anyway.
 */
export class ClusterIdentity {
  private id?: string
  private writing = false

  constructor(private readonly d: ClusterIdentityDeps) {}

  get current(): string | undefined {
    return this.id
  }

  /** One pass: adopt the stored identity; on the leader, store one when there is none. */
  check(): void {
    const entry = this.d.state().systemMetadataGet(CLUSTER_ID_KEY).entry
    if (entry) {
      const value = entry.Value
      if (value !== this.id) {
        // Only a snapshot restore changes it: the snapshot's cluster ID comes with its data.
        if (this.id) this.d.log.warn('this cluster\'s ID changed (a snapshot restore)', {from: this.id, to: value})
        this.id = value
        this.d.onChange(value)
      }
      return
    }
    if (!this.d.isLeader() || this.writing) return
    this.writing = true
    const id = this.d.mint()
    this.d.apply({type: 'system-metadata', op: 'create', entry: {Key: CLUSTER_ID_KEY, Value: id}}).then(
      (ok) => {
        this.writing = false
        if (ok === true) this.d.log.info('stored this cluster\'s ID', {cluster_id: id})
        this.check()
      },
      // Not retried from here: a proposal that fails at once (a leader that just lost its
      // lease) would spin; the next periodic pass tries again.
      (e) => {
        this.writing = false
        this.d.log.debug('could not store the cluster ID yet; will retry', {error: String(e)})
      },
    )
  }
}
