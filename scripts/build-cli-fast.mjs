#!/usr/bin/env node
// Builds the fast CLI path (bin/fast.js) from the oclif command classes:
//  - dist/cli-fast.json: routing and flag/argument definitions of the thin commands
//    (src/cli/fast/commands.ts), read from the real oclif Config and classes
//    (src/cli/fast/spec.ts); the build fails on a definition the fast parser cannot reproduce;
//  - dist/cli.fast.cjs: those command classes, the API client and the renderers in one file,
//    with @oclif/core replaced by src/cli/fast/oclif-lite.ts, so no oclif code is loaded.
// Both are generated into dist/ (not committed) and are byte-identical from build to build.
import {build} from 'esbuild'
import {spawnSync} from 'node:child_process'
import {rmSync, writeFileSync} from 'node:fs'
import {resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {assertNoImport, dynamicImportPlugin} from './lib/dynamic-import.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = resolve(root, 'dist')
const {FAST_COMMANDS} = await import(new URL('../dist/cli/fast/commands.js', import.meta.url).href)
const {buildFastTable} = await import(new URL('../dist/cli/fast/spec.js', import.meta.url).href)

const table = await buildFastTable(root, Object.keys(FAST_COMMANDS))
writeFileSync(resolve(dist, 'cli-fast.json'), `${JSON.stringify(table)}\n`)

const outfile = 'dist/cli.fast.cjs'
const result = await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/fast/main.js'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  metafile: true,
  plugins: [{
    name: 'oclif-lite',
    setup(b) {
      b.onResolve({filter: /^@oclif\/core$/}, () => ({path: resolve(dist, 'cli/fast/oclif-lite.js')}))
    },
  }, dynamicImportPlugin(dist)],
})
const oclif = Object.keys(result.metafile.inputs).filter((p) => p.includes('node_modules/@oclif/'))
if (oclif.length > 0) throw new Error(`${outfile} would load oclif: ${oclif.join(', ')}`)
assertNoImport(resolve(root, outfile))

// A fresh bundle; write its code cache now (bin/fast-load.js), so the first command is fast too.
// The agent address is a unix socket that does not exist: the run fails at once, no network.
rmSync(resolve(dist, 'cli.fast.cache'), {force: true})
spawnSync(process.execPath, [resolve(root, 'bin/run.js'), 'members', '-http-addr=unix:///nonexistent/dc-build-warm.sock'], {stdio: 'ignore', env: {...process.env, NO_COLOR: '1'}})
