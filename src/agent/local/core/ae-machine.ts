/**
 * The anti-entropy state machine (Consul's ae.StateSyncer), pure: states, events and
 * the actions a driver must perform. A sync runs asynchronously; events that arrive
 * meanwhile are remembered (`pendingFull`, `pendingChanges`) and acted on when it ends.
 *
 *   idle ──start──▶ full-sync ──ok──▶ steady ──changes──▶ partial-sync ──done──▶ steady
 *                      │  ▲             │ full timer / full request ▲
 *                 fail ▼  │ retry timer ▼                           │
 *                    retry-wait ◀───────── (full-sync fails) ───────┘
 *
 * Differences from Consul: the periodic full-sync timer is armed when a full sync
 * succeeds and is not pushed back by partial syncs, so repairs keep happening under
 * a steady stream of changes.
 */
export type AeState = 'idle' | 'full-sync' | 'retry-wait' | 'steady' | 'partial-sync' | 'stopped'

export type AeEvent =
  | 'start'
  | 'changes'
  | 'full-requested'
  | 'full-timer'
  | 'retry-timer'
  | 'full-ok'
  | 'full-failed'
  | 'partial-done'
  | 'stop'

export type AeAction = 'run-full' | 'run-partial' | 'arm-full-timer' | 'arm-retry-timer' | 'cancel-timers'

export interface AeMachine {
  state: AeState
  pendingFull: boolean
  pendingChanges: boolean
}

export const initialAe: AeMachine = {state: 'idle', pendingFull: false, pendingChanges: false}

export function aeStep(m: AeMachine, ev: AeEvent): {machine: AeMachine; actions: AeAction[]} {
  const to = (state: AeState, actions: AeAction[], patch: Partial<AeMachine> = {}) => ({machine: {...m, ...patch, state}, actions})
  const stay = (patch: Partial<AeMachine> = {}) => ({machine: {...m, ...patch}, actions: [] as AeAction[]})
  if (ev === 'stop') return to('stopped', ['cancel-timers'], {pendingFull: false, pendingChanges: false})
  switch (m.state) {
    case 'stopped':
      return stay()
    case 'idle':
      return ev === 'start' ? to('full-sync', ['run-full'], {pendingChanges: false}) : stay()
    case 'full-sync':
      if (ev === 'full-ok') {
        if (m.pendingFull) return to('full-sync', ['run-full'], {pendingFull: false, pendingChanges: false})
        if (m.pendingChanges) return to('partial-sync', ['arm-full-timer', 'run-partial'], {pendingChanges: false})
        return to('steady', ['arm-full-timer'])
      }
      if (ev === 'full-failed') return to('retry-wait', ['arm-retry-timer'], {pendingFull: false, pendingChanges: false})
      if (ev === 'changes') return stay({pendingChanges: true})
      if (ev === 'full-requested' || ev === 'full-timer') return stay({pendingFull: true})
      return stay()
    case 'retry-wait':
      // Changes wait for the retried full sync, which covers them.
      if (ev === 'retry-timer' || ev === 'full-requested') return to('full-sync', ['cancel-timers', 'run-full'])
      return stay()
    case 'steady':
      if (ev === 'changes') return to('partial-sync', ['run-partial'])
      if (ev === 'full-timer' || ev === 'full-requested') return to('full-sync', ['cancel-timers', 'run-full'])
      return stay()
    case 'partial-sync':
      if (ev === 'partial-done') {
        if (m.pendingFull) return to('full-sync', ['cancel-timers', 'run-full'], {pendingFull: false, pendingChanges: false})
        if (m.pendingChanges) return to('partial-sync', ['run-partial'], {pendingChanges: false})
        return to('steady', [])
      }
      if (ev === 'changes') return stay({pendingChanges: true})
      if (ev === 'full-timer' || ev === 'full-requested') return stay({pendingFull: true})
      return stay()
  }
}
