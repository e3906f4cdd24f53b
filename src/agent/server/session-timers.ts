import {durationMs} from '../config/duration.js'
import type {Env, TimerHandle} from '../env/types.js'

/**
 * Leader-side session TTL timers. Consul invalidates a session after 2×TTL without
 * a renewal (the slack covers clock differences and leader changes). Only the leader
 * runs timers; a new leader re-arms every TTL session with a full 2×TTL.
 */
export class SessionTimers {
  private readonly timers = new Map<string, TimerHandle>()

  constructor(
    private readonly env: Env,
    private readonly expire: (id: string) => void,
  ) {}

  reset(id: string, ttl: string): void {
    if (!ttl) return
    this.clear(id)
    const ms = durationMs(ttl) * 2
    this.timers.set(id, this.env.timers.after(ms, () => {
      this.timers.delete(id)
      this.expire(id)
    }))
  }

  clear(id: string): void {
    this.timers.get(id)?.cancel()
    this.timers.delete(id)
  }

  clearAll(): void {
    for (const t of this.timers.values()) t.cancel()
    this.timers.clear()
  }

  get size(): number {
    return this.timers.size
  }
}
