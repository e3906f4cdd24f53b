import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const RUN_JS = join(ROOT, 'bin', 'run.js')

export interface RunningAgent {
  /** e.g. "127.0.0.1:41234" */
  httpAddr: string
  /** e.g. "http://127.0.0.1:41234" */
  url: string
  /** The server RPC address it bound, e.g. "127.0.0.1:41235" (from its log); '' when nothing listens (a client, -server-port=-1). */
  rpcAddr: string
  /** DNS port when started with dns enabled (-dns-port=0), else 0. */
  dnsPort: number
  dataDir: string
  proc: ChildProcess
  output(): string
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>
  /** Remove the data dir (after stop/kill). */
  cleanup(): void
}

export interface StartOptions {
  /** Extra agent flags, e.g. ['-config-dir', dir]. */
  args?: string[]
  /** Reuse a data dir (restart after kill -9); a fresh temp dir otherwise. */
  dataDir?: string
  /** Start with -dev instead of -server -bootstrap -data-dir. */
  dev?: boolean
  dns?: boolean
  /** false: a server without -bootstrap (e.g. with -bootstrap-expect=3, waiting for peers). */
  bootstrap?: boolean
  env?: Record<string, string>
  timeoutMs?: number
  /** -node (default test-node). */
  node?: string
  /** -bind and -client address (default 127.0.0.1). */
  bind?: string
  /** Fixed gossip ports (default 0: any free port); a restart that must keep its address uses these. */
  serfLanPort?: number
  serfWanPort?: number
  /**
   * -server-port (default 0: any free port, so a server reports a real, bound RPC address as its
   * leader/peer address); -1 for no RPC listener (then it honestly reports no address).
   */
  serverPort?: number
  /** Start without -server / -dev: a client agent. */
  client?: boolean
}

/**
 * Spawns `bin/run.js agent` on ephemeral loopback ports and resolves once the agent
 * logs its HTTP address and "Agent started; ready". Needs `npm run build` first.
 */
export async function startAgent(opts: StartOptions = {}): Promise<RunningAgent> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'dc-agent-'))
  const base = opts.client
    ? ['agent', `-data-dir=${dataDir}`]
    : opts.dev
      ? ['agent', '-dev']
      : ['agent', '-server', ...(opts.bootstrap === false ? [] : ['-bootstrap']), `-data-dir=${dataDir}`]
  const args = [
    RUN_JS, ...base, `-node=${opts.node ?? 'test-node'}`, `-client=${opts.bind ?? '127.0.0.1'}`, `-bind=${opts.bind ?? '127.0.0.1'}`,
    '-http-port=0', `-dns-port=${opts.dns ? 0 : -1}`, `-serf-lan-port=${opts.serfLanPort ?? 0}`, `-serf-wan-port=${opts.serfWanPort ?? 0}`, `-server-port=${opts.serverPort ?? 0}`,
    ...(opts.args ?? []),
  ]
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {...process.env, NO_COLOR: '1', ...opts.env},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  proc.stdout!.on('data', (d) => { out += d })
  proc.stderr!.on('data', (d) => { out += d })
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
  const timeoutMs = opts.timeoutMs ?? 30_000
  const ready = await new Promise<{http: string; dns: number}>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent not ready after ${timeoutMs}ms:\n${out}`)), timeoutMs)
    const check = () => {
      const http = /HTTP server listening on (\S+)/.exec(out)
      const dns = /DNS server listening on \S+:(\d+)/.exec(out)
      if (http && /Agent started; ready/.test(out) && (!opts.dns || dns)) {
        clearTimeout(timer)
        resolve({http: http[1], dns: dns ? Number(dns[1]) : 0})
      }
    }
    proc.stdout!.on('data', check)
    proc.stderr!.on('data', check)
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`agent exited with ${code}:\n${out}`)) })
  })
  return {
    httpAddr: ready.http,
    url: `http://${ready.http}`,
    // Logged before "Agent started; ready": the RPC listener starts first.
    rpcAddr: /server RPC listening on (\S+)/.exec(out)?.[1] ?? '',
    dnsPort: ready.dns,
    dataDir,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode
      proc.kill('SIGTERM')
      return exited
    },
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return
      proc.kill('SIGKILL')
      await exited
    },
    cleanup() {
      if (!opts.dataDir) rmSync(dataDir, {recursive: true, force: true})
    },
  }
}

/** Poll `fn` until it returns a truthy value or the deadline passes (no fixed sleeps). */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs = 15_000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v) return v as NonNullable<T>
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs}ms${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}
