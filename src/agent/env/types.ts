/**
 * Every source of non-determinism the agent uses. The real implementation
 * (node.ts) wraps Node; a simulator supplies virtual time, a seeded PRNG and an
 * in-memory network, and runs the same agent code. Nothing under
 * src/agent/** /core or src/store/** may touch Date, Math.random, timers or
 * sockets directly: they take an Env (or plain values derived from it).
 */
export interface Clock {
  /** Monotonic milliseconds (never goes backwards); use for durations and deadlines. */
  nowMs(): number
  /** Wall-clock milliseconds since the epoch; use only for display and SOA serials. */
  wallMs(): number
}

export interface TimerHandle {
  cancel(): void
}

export interface Timers {
  /** Run fn once after ms milliseconds. Cancelling after it fired is a no-op. */
  after(ms: number, fn: () => void): TimerHandle
  /** Run fn every ms milliseconds until cancelled. */
  every(ms: number, fn: () => void): TimerHandle
  /** Run fn soon, after pending I/O callbacks (setImmediate); used to batch work done in one turn. */
  defer(fn: () => void): void
}

export interface Random {
  /** Uniform in [0, 1). */
  float(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
  bytes(n: number): Uint8Array
  /** Consul-style 36-char hex UUID (8-4-4-4-12). */
  uuid(): string
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error'

export interface Logger {
  trace(msg: string, fields?: Record<string, unknown>): void
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  /** A logger whose lines carry `name` (e.g. "agent.raft"). */
  named(name: string): Logger
  setLevel(level: LogLevel): void
}

export interface Env {
  clock: Clock
  timers: Timers
  random: Random
  log: Logger
}
