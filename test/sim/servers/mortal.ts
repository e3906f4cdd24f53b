import type {Env, Logger} from '../../../src/agent/env/types.js'

/**
 * An Env whose process can be killed (kill -9): after kill() none of its timers or
 * deferred callbacks run and its logger is silent, so nothing of that incarnation acts
 * again (promise chains waiting on its timers just never resume).
 */
export function mortalEnv(env: Env): {env: Env; kill(): void} {
  let dead = false
  const guard = (fn: () => void) => () => {
    if (!dead) fn()
  }
  const quiet = (log: Logger): Logger => ({
    trace: (m, f) => void (dead || log.trace(m, f)),
    debug: (m, f) => void (dead || log.debug(m, f)),
    info: (m, f) => void (dead || log.info(m, f)),
    warn: (m, f) => void (dead || log.warn(m, f)),
    error: (m, f) => void (dead || log.error(m, f)),
    named: (n) => quiet(log.named(n)),
    setLevel: (l) => log.setLevel(l),
  })
  return {
    env: {
      clock: env.clock,
      random: env.random,
      log: quiet(env.log),
      timers: {
        after: (ms, fn) => env.timers.after(ms, guard(fn)),
        every: (ms, fn) => {
          const h = env.timers.every(ms, () => (dead ? h.cancel() : fn()))
          return h
        },
        defer: (fn) => env.timers.defer(guard(fn)),
      },
    },
    kill: () => void (dead = true),
  }
}
