// The fast CLI path: runs a thin client command (src/cli/fast/commands.ts: kv get, members, …)
// without loading oclif. dist/cli-fast.json, made at build time from the oclif command classes
// (scripts/build-cli-fast.mjs), lets dist/cli/fast/parse.js route and parse the argv as oclif
// would; dist/cli.fast.cjs then runs the command's own class. Whenever oclif would do anything
// else (help, version, an unknown command or flag, a parse error, user plugins, debug output)
// this returns false and bin/run.js runs oclif, which prints oclif's own texts.
import {readFileSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'
import {isatty} from 'node:tty'
import {fileURLToPath} from 'node:url'
import {loadBundle} from './fast-load.js'

const dist = fileURLToPath(new URL('../dist/', import.meta.url))

/** Runs `args` on the fast path and returns true, or returns false without side effects. */
export async function runFast(args) {
  const env = process.env
  // DC_CLI_OCLIF=1 forces the oclif path (tests compare the two), DC_CLI_UNBUNDLED=1 the
  // unbundled oclif path; DEBUG makes oclif log.
  if (env.DC_CLI_OCLIF === '1' || env.DC_CLI_UNBUNDLED === '1' || env.DEBUG || env.DC_DEBUG) return false
  let table
  try {
    table = JSON.parse(readFileSync(join(dist, 'cli-fast.json'), 'utf8'))
  } catch {
    return false // a tree built without scripts/build-cli-fast.mjs
  }
  if (hasUserPlugins(env)) return false
  const {routeArgv, parseArgv} = await import('../dist/cli/fast/parse.js')
  const route = routeArgv(table, args)
  if (!route) return false
  const parsed = parseArgv(table.commands[route.id], route.argv, {env, stdinIsTTY: isatty(0)})
  if (!parsed) return false
  await loadBundle(join(dist, 'cli.fast.cjs'), {oclif: false}).run(route.id, route.argv, parsed)
  return true
}

/**
 * Installed or linked CLI plugins (`dc plugins install|link`) may add hooks or commands, which
 * only oclif runs. oclif lists them in <data dir>/package.json; the data dir is found as oclif's
 * Config does it (DC_DATA_DIR, XDG_DATA_HOME, LOCALAPPDATA on Windows, ~/.local/share) + "dc".
 */
function hasUserPlugins(env) {
  const home = env.HOME || (process.platform === 'win32' && ((env.HOMEDRIVE && env.HOMEPATH && join(env.HOMEDRIVE, env.HOMEPATH)) || env.USERPROFILE)) || homedir() || tmpdir()
  const dataDir = env.DC_DATA_DIR || join(env.XDG_DATA_HOME || (process.platform === 'win32' && env.LOCALAPPDATA) || join(home, '.local/share'), 'dc')
  let pjson
  try {
    pjson = JSON.parse(readFileSync(join(dataDir, 'package.json'), 'utf8'))
  } catch (error) {
    return error.code !== 'ENOENT' // oclif warns about an unreadable file: let it
  }
  return (pjson?.oclif?.plugins ?? []).some((p) => p.type === 'user' || p.type === 'link')
}
