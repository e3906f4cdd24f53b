import type {Env, Logger, TimerHandle} from '../env/types.js'
import {aeStep, initialAe, type AeAction, type AeEvent, type AeMachine, type AeState} from './core/ae-machine.js'
import {fullSyncDelayMs} from './core/scale.js'

/** What anti-entropy drives: Consul's SyncState (SyncFull / SyncChanges). Both may reject. */
export interface SyncPort {
  syncFull(): Promise<void>
  syncChanges(): Promise<void>
}

export interface AntiEntropyOptions {
  env: Env
  log: Logger
  sync: SyncPort
  /** LAN cluster size, for the full-sync stagger. */
  clusterSize: () => number
  /** Base full-sync interval (Consul's ae_interval, 1m). */
  intervalMs?: number
  /** Wait before retrying a failed full sync (Consul: 15s, plus stagger). */
  retryFailMs?: number
}

interface Waiter {
  minGen: number
  resolve: () => void
}

/**
 * Drives the pure anti-entropy machine with env.timers: runs full and partial syncs,
 * arms the periodic full-sync and retry timers, and coalesces change notifications
 * made in one turn into one partial sync.
 */
export class AntiEntropy {
  private m: AeMachine = initialAe
  private timer?: TimerHandle
  private changesQueued = false
  private startedGen = 0
  private waiters: Waiter[] = []
  private readonly intervalMs: number
  private readonly retryFailMs: number

  constructor(private readonly o: AntiEntropyOptions) {
    this.intervalMs = o.intervalMs ?? 60_000
    this.retryFailMs = o.retryFailMs ?? 15_000
  }

  get state(): AeState {
    return this.m.state
  }

  start(): void {
    this.fire('start')
  }

  stop(): void {
    this.fire('stop')
    this.releaseWaiters(Infinity)
  }

  /** Something local changed: push it soon (coalesced within the current turn). */
  triggerChanges(): void {
    if (this.changesQueued) return
    this.changesQueued = true
    this.o.env.timers.defer(() => {
      this.changesQueued = false
      this.fire('changes')
    })
  }

  /** Run a full sync as soon as possible (after a reload, or when a leader appears). */
  requestFull(): void {
    this.fire('full-requested')
  }

  /**
   * Resolves once a sync that started after this call has finished (successfully or
   * not), i.e. once current local changes were offered to the servers. Resolves at
   * once when no sync will run soon (not started, stopped, or waiting to retry).
   */
  flush(): Promise<void> {
    if (this.m.state === 'idle' || this.m.state === 'stopped' || this.m.state === 'retry-wait') return Promise.resolve()
    return new Promise((resolve) => {
      this.waiters.push({minGen: this.startedGen + 1, resolve})
      this.triggerChanges()
    })
  }

  private fire(ev: AeEvent): void {
    const {machine, actions} = aeStep(this.m, ev)
    this.m = machine
    for (const a of actions) this.perform(a)
    if (this.m.state === 'retry-wait') this.releaseWaiters(Infinity)
  }

  private perform(a: AeAction): void {
    const {env} = this.o
    switch (a) {
      case 'cancel-timers':
        this.timer?.cancel()
        this.timer = undefined
        return
      case 'arm-full-timer':
        this.timer?.cancel()
        this.timer = env.timers.after(fullSyncDelayMs(this.intervalMs, this.o.clusterSize(), env.random.float()), () => this.fire('full-timer'))
        return
      case 'arm-retry-timer':
        this.timer?.cancel()
        this.timer = env.timers.after(fullSyncDelayMs(this.retryFailMs, this.o.clusterSize(), env.random.float()), () => this.fire('retry-timer'))
        return
      case 'run-full':
        this.run(() => this.o.sync.syncFull(), 'full-ok', 'full-failed', 'failed to sync remote state')
        return
      case 'run-partial':
        this.run(() => this.o.sync.syncChanges(), 'partial-done', 'partial-done', 'failed to sync changes')
        return
    }
  }

  private run(fn: () => Promise<void>, ok: AeEvent, failed: AeEvent, what: string): void {
    const gen = ++this.startedGen
    let p: Promise<void>
    try {
      p = fn()
    } catch (e) {
      p = Promise.reject(e)
    }
    p.then(
      () => {
        this.releaseWaiters(gen)
        this.fire(ok)
      },
      (e: unknown) => {
        if (this.m.state !== 'stopped') this.o.log.warn(what, {error: e instanceof Error ? e.message : String(e)})
        this.releaseWaiters(gen)
        this.fire(failed)
      },
    )
  }

  private releaseWaiters(gen: number): void {
    const keep: Waiter[] = []
    for (const w of this.waiters) {
      if (w.minGen <= gen) w.resolve()
      else keep.push(w)
    }
    this.waiters = keep
  }
}
