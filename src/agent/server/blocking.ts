import type {Env} from '../env/types.js'
/** What a blocking read needs of Consul's query options: MinQueryIndex and the wait. */
export interface BlockingOptions {
  minIndex: number
  waitMs: number
}

/** The store's watch mechanism, as the blocking loop needs it. */
export interface WatchPort<WS> {
  newWatchSet(): WS
  /** cb fires once when anything in ws changes (or the store is abandoned); returns cancel. */
  wait(ws: WS, cb: () => void): () => void
}

export interface Indexed<T> {
  index: number
  value: T
}

/**
 * Consul's blocking query: run the read; if ?index was given and the result's index is
 * not past it, park on the read's watch set until something it read changes or the
 * wait (plus up to wait/16 jitter) runs out, then read again. Parked queries cost one
 * callback in the shared watch map each — no polling, no per-query timers beyond one.
 */
export async function blockingRead<T, WS>(
  env: Env,
  watch: WatchPort<WS>,
  opts: BlockingOptions,
  read: (ws: WS | undefined) => Indexed<T>,
  signal?: AbortSignal,
): Promise<Indexed<T>> {
  if (opts.minIndex === 0) return read(undefined)
  const jitter = opts.waitMs > 0 ? env.random.int(Math.floor(opts.waitMs / 16) + 1) : 0
  const deadline = env.clock.nowMs() + opts.waitMs + jitter
  for (;;) {
    const ws = watch.newWatchSet()
    const result = read(ws)
    if (result.index > opts.minIndex) return result
    const remaining = deadline - env.clock.nowMs()
    if (remaining <= 0 || signal?.aborted) return result
    const woke = await new Promise<boolean>((resolve) => {
      let done = false
      const finish = (v: boolean) => {
        if (done) return
        done = true
        timer.cancel()
        cancel()
        signal?.removeEventListener('abort', onAbort)
        resolve(v)
      }
      const onAbort = () => finish(false)
      const cancel = watch.wait(ws, () => finish(true))
      const timer = env.timers.after(remaining, () => finish(false))
      signal?.addEventListener('abort', onAbort)
    })
    if (!woke) return read(undefined)
  }
}
