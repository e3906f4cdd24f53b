import type {Clock} from '../env/types.js'

/**
 * A token bucket (golang.org/x/time/rate's Allow): `ratePerSec` tokens a second up to
 * `burst`; each call takes one or is refused. Infinity allows everything.
 */
export class TokenBucket {
  private tokens: number
  private lastMs: number

  constructor(private readonly clock: Clock, private readonly ratePerSec: number, private readonly burst: number) {
    this.tokens = burst
    this.lastMs = clock.nowMs()
  }

  allow(): boolean {
    if (this.ratePerSec === Infinity) return true
    const now = this.clock.nowMs()
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastMs) / 1000) * this.ratePerSec)
    this.lastMs = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
