import type {Clock} from '../env/types.js'

/**
 * A token bucket (golang.org/x/time/rate's Allow): `ratePerSec` tokens a second up to
 * `burst`; each call takes one or is refused. Infinity allows everything.
 */
export class TokenBucket {
  private tokens: number
  private lastMs: number

  constructor(private readonly clock: Clock, private ratePerSec: number, private burst: number) {
    this.tokens = burst
    this.lastMs = clock.nowMs()
  }

  /** New limits (a config reload): tokens already earned are kept, up to the new burst. */
  update(ratePerSec: number, burst: number): void {
    this.refill()
    this.ratePerSec = ratePerSec
    this.burst = burst
    this.tokens = Math.min(this.tokens, burst)
  }

  private refill(): void {
    const now = this.clock.nowMs()
    if (this.ratePerSec !== Infinity) this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastMs) / 1000) * this.ratePerSec)
    else this.tokens = this.burst
    this.lastMs = now
  }

  allow(): boolean {
    if (this.ratePerSec === Infinity) return true
    this.refill()
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
