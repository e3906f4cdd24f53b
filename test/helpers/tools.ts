/**
 * Tests that drive an outside program (dig today; serf, etcd, chromium later) skip with a
 * visible reason when it is absent, so `npm test` works on a machine with nothing but Node.
 * CI (.ci/run) installs the tools, so there every such test runs.
 */
import {spawnSync} from 'node:child_process'
import {beforeEach} from 'vitest'

/** Debian package that provides each tool, named in the skip reason. */
const DEBIAN_PACKAGE: Record<string, string> = {
  dig: 'bind9-dnsutils',
  serf: 'serf',
  etcd: 'etcd-server',
  chromium: 'chromium',
  dnsperf: 'dnsperf',
  nsd: 'nsd',
}

/** Flags that make each tool print its version and exit 0 (dig has no --version). */
const VERSION_ARGS: Record<string, string[]> = {dig: ['-v'], serf: ['version'], nsd: ['-v'], dnsperf: ['-h']}

const cache = new Map<string, string | undefined>()

/**
 * Undefined when `tool` can be run from PATH, else the reason to skip, e.g.
 * "`dig` not found on PATH (Debian: apt-get install bind9-dnsutils)".
 */
export function missingTool(tool: string): string | undefined {
  if (cache.has(tool)) return cache.get(tool)
  const r = spawnSync(tool, VERSION_ARGS[tool] ?? ['--version'], {stdio: 'ignore', timeout: 10_000})
  // ENOENT is the absent tool; a tool that starts but exits non-zero for its version flag is still present.
  const reason = r.error ? `\`${tool}\` not found on PATH (Debian: apt-get install ${DEBIAN_PACKAGE[tool] ?? tool})` : undefined
  cache.set(tool, reason)
  return reason
}

/**
 * Call at the top of a test file (or inside a describe): when any of `tools` is missing,
 * every test in scope is skipped with the reason as its note, and the function returns that
 * reason so the file's beforeAll can return early instead of failing.
 */
export function requireTool(...tools: string[]): string | undefined {
  const reason = tools.map(missingTool).find((r) => r !== undefined)
  if (reason) beforeEach(({skip}) => skip(reason))
  return reason
}
