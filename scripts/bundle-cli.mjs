#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js: @oclif/core, every command, the API client, chalk,
// cli-table3) into dist/cli.bundle.cjs, which bin/run.js compiles with a V8 code cache
// (bin/fast-load.js). One file with cached bytecode starts in a fraction of the time Node
// takes to resolve, read and compile ~200 separate modules (Node 20 has no compile cache).
// Left outside: the agent runtime (loaded by `dc agent` only, with its native SQLite
// binding) and the TypeScript loaders oclif probes for in development.
import {build} from 'esbuild'
import {spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {assertNoImport, dynamicImportPlugin} from './lib/dynamic-import.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = resolve(root, 'dist')
const outfile = 'dist/cli.bundle.cjs'

await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/main.js'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  // Less source for V8 to read and pre-parse; names kept because error messages and oclif's
  // debug output print class names.
  minify: true,
  keepNames: true,
  legalComments: 'none',
  external: ['typescript', 'tsx', 'ts-node', 'better-sqlite3'],
  plugins: [dynamicImportPlugin(dist)],
})

assertNoImport(`${root}/${outfile}`)
// The build makes a fresh bundle; its code cache is written by the first run (bin/fast-load.js).
rmSync(`${root}/dist/cli.bundle.cache`, {force: true})
rmSync(`${root}/dist/cli.bundle.js`, {force: true})
// Write the cache now, so the first command a user runs is fast too.
const warm = spawnSync(process.execPath, [`${root}/bin/run.js`, '--help'], {stdio: 'ignore', env: {...process.env, NO_COLOR: '1'}})
if (warm.status !== 0) throw new Error(`bin/run.js --help with the new bundle exited ${warm.status}`)
