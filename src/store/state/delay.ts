import {Table} from './context.js'
import {compareKeys} from './keys.js'

export interface LockDelay {
  Key: string
  /** Milliseconds, in the clock of the `now` values carried by commands. */
  Expires: number
}

/**
 * Lock-delay (Chubby's): after a session is invalidated, the keys it held
 * cannot be acquired until the delay expires. Consul keeps this in wall time
 * outside Raft; here expiry is derived from the `now` the leader stamped on the
 * command, so every server computes the same table and snapshots carry it.
 */
export class LockDelayTable extends Table<LockDelay> {
  /** Expiry in ms, or 0 when no delay is recorded. */
  expiry(key: string): number {
    return this.rows.get(key)?.Expires ?? 0
  }

  /** Forget delays that expired by now (deterministic: now comes from the command). */
  pruneExpired(now: number): void {
    const dead: string[] = []
    for (const d of this.rows.values()) if (d.Expires <= now) dead.push(d.Key)
    for (const k of dead) this.delete(k)
  }

  all(): LockDelay[] {
    return [...this.rows.values()].sort((a, b) => compareKeys(a.Key, b.Key))
  }
}
