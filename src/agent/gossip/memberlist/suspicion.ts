import type {TimerHandle, Timers} from '../../env/types.js'

/**
 * Lifeguard's suspicion timer: starts at `maxMs` and shrinks towards `minMs` as
 * independent peers confirm the suspicion (log-scaled in the number of
 * confirmations out of `k` expected), so a truly dead node is declared sooner and
 * a node that is only slow to answer gets the longest time to refute.
 */
export class Suspicion {
  private confirmations = new Set<string>()
  private n = 0
  private timer: TimerHandle

  constructor(
    from: string,
    private readonly k: number,
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly startMs: number,
    private readonly timers: Timers,
    private readonly nowMs: () => number,
    private readonly onTimeout: (confirmations: number) => void,
  ) {
    // The accuser does not count as a confirmation.
    this.confirmations.add(from)
    const timeout = k < 1 ? minMs : maxMs
    this.timer = timers.after(timeout, () => onTimeout(this.n))
  }

  /** True when `from` is a new confirmation (the caller then re-gossips the suspicion). */
  confirm(from: string): boolean {
    if (this.n >= this.k || this.confirmations.has(from)) return false
    this.confirmations.add(from)
    this.n++
    const remaining = remainingSuspicionMs(this.n, this.k, this.nowMs() - this.startMs, this.minMs, this.maxMs)
    this.timer.cancel()
    this.timer = this.timers.after(Math.max(0, remaining), () => this.onTimeout(this.n))
    return true
  }

  cancel(): void {
    this.timer.cancel()
  }
}

/** Time left before a suspect is declared dead, given n of k confirmations and the time elapsed. */
export function remainingSuspicionMs(n: number, k: number, elapsedMs: number, minMs: number, maxMs: number): number {
  const frac = Math.log(n + 1) / Math.log(k + 1)
  const timeout = Math.max(minMs, Math.floor(maxMs - frac * (maxMs - minMs)))
  return timeout - elapsedMs
}
