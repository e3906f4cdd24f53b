import {randomBytes} from 'node:crypto'
import {performance} from 'node:perf_hooks'
import {formatUuid, seededRandom} from './prng.js'
import type {Env, LogLevel, Logger} from './types.js'

const LEVELS: Record<LogLevel, number> = {trace: 0, debug: 1, info: 2, warn: 3, error: 4}

export interface LoggerOptions {
  level: LogLevel
  json: boolean
  write?: (line: string) => void
}

/** Consul-like log lines: `2026-11-25T19:44:05.123Z [INFO]  agent: message: key=value`. */
export function createLogger(opts: LoggerOptions, name = 'agent'): Logger {
  const state = {level: LEVELS[opts.level]}
  const write = opts.write ?? ((line: string) => process.stdout.write(line + '\n'))
  const make = (n: string): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
      if (LEVELS[level] < state.level) return
      const ts = new Date().toISOString()
      if (opts.json) {
        write(JSON.stringify({'@timestamp': ts, '@level': level, '@module': n, '@message': msg, ...fields}))
        return
      }
      const tag = `[${level.toUpperCase()}]`.padEnd(7)
      const kv = fields ? Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ') : ''
      write(`${ts} ${tag} ${n}: ${msg}${kv ? ': ' + kv : ''}`)
    }
    return {
      trace: (m, f) => emit('trace', m, f),
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      named: (sub) => make(`${n}.${sub}`),
      setLevel: (l) => { state.level = LEVELS[l] },
    }
  }
  return make(name)
}

/** The real environment: Node's clocks, timers and CSPRNG. */
export function createNodeEnv(log: Logger): Env {
  const fast = seededRandom(randomBytes(4).readUInt32BE(0))
  return {
    clock: {nowMs: () => performance.now(), wallMs: () => Date.now()},
    timers: {
      after(ms, fn) {
        const t = setTimeout(fn, Math.max(0, ms))
        return {cancel: () => clearTimeout(t)}
      },
      every(ms, fn) {
        const t = setInterval(fn, Math.max(1, ms))
        return {cancel: () => clearInterval(t)}
      },
      defer(fn) {
        setImmediate(fn)
      },
    },
    // float/int feed jitter and shuffles on hot paths: a PRNG seeded from the CSPRNG.
    // bytes/uuid name sessions and keys: straight from the CSPRNG.
    random: {
      float: fast.float,
      int: fast.int,
      bytes: (n) => new Uint8Array(randomBytes(n)),
      uuid: () => formatUuid(randomBytes(16)),
    },
    log,
  }
}
