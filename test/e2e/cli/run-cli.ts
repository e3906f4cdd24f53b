import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT, RUN_JS} from '../../helpers/agent.js'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
  stdoutBytes: Buffer
}

/** Fail early and clearly when the CLI was not built (these tests run dist/ through bin/run.js). */
export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'commands', 'kv', 'get.js')) || !existsSync(join(ROOT, 'oclif.manifest.json'))) {
    throw new Error('CLI not built: run `npm run build` (tsc -b && oclif manifest) before the CLI e2e tests')
  }
}

/**
 * Runs `node bin/run.js ...args` with a clean client environment (no inherited
 * CONSUL_* / DC_* variables, NO_COLOR set) and collects exit code and output.
 */
export function runCli(args: string[], opts: {env?: Record<string, string>; input?: string | Buffer; nodeArgs?: string[]} = {}): Promise<CliResult> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(CONSUL_|DC_)/.test(k)) env[k] = v
  }
  Object.assign(env, {NO_COLOR: '1', OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}, opts.env)
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...(opts.nodeArgs ?? []), RUN_JS, ...args], {cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    p.stdout.on('data', (d: Buffer) => out.push(d))
    p.stderr.on('data', (d: Buffer) => err.push(d))
    p.on('error', reject)
    p.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out)
      resolve({code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes})
    })
    p.stdin.end(opts.input ?? '')
  })
}
