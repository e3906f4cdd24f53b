#!/usr/bin/env node
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {loadOptions, normalizeArgv} from './argv.js'
import {runFast} from './fast.js'
import {loadBundle} from './fast-load.js'

const args = normalizeArgv(process.argv.slice(2))
// oclif warns on every command, twice, that a linked ESM CLI plugin "cannot be auto-transpiled"
// (dc runs in production mode, where it never transpiles): dc runs a plugin's built JavaScript,
// as docs/plugins.md says, so the warning is noise on every `dc kv get`.
process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1'
// Thin client commands (kv get, members, …) run without loading oclif when the fast parser
// accepts their argv (bin/fast.js); everything else, including every error oclif reports, runs
// through oclif below. DC_CLI_OCLIF=1 forces oclif (tests compare the two paths).
if (!(await runFast(args))) {
  // `npm run build` bundles the CLI into one file (scripts/bundle-cli.mjs) because loading
  // @oclif/core module by module was half of every command's start-up. A tree built with
  // `tsc` alone has no bundle and runs the same code unbundled; DC_CLI_UNBUNDLED=1 forces that
  // (tests compare the two).
  const bundle = fileURLToPath(new URL('../dist/cli.bundle.cjs', import.meta.url))
  if (process.env.DC_CLI_UNBUNDLED !== '1' && existsSync(bundle)) {
    await loadBundle(bundle).main(args, loadOptions(args, import.meta.url))
  } else {
    const {execute} = await import('@oclif/core')
    await execute({args, loadOptions: loadOptions(args, import.meta.url)})
  }
}
