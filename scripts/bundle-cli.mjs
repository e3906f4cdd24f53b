#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js: @oclif/core, every command, the API client, chalk,
// cli-table3) into dist/cli.bundle.cjs, which bin/run.js compiles with a V8 code cache
// (bin/fast-load.js). One file with cached bytecode starts in a fraction of the time Node
// takes to resolve, read and compile ~200 separate modules (Node 20 has no compile cache).
// Left outside: the agent runtime (loaded by `dc agent` only, with its native SQLite
// binding) and the TypeScript loaders oclif probes for in development.
import {build} from 'esbuild'
import {spawnSync} from 'node:child_process'
import {readFileSync, rmSync} from 'node:fs'
import {dirname, relative, resolve, sep} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = resolve(root, 'dist')
const outfile = 'dist/cli.bundle.cjs'
// import() cannot run inside a script compiled with cached data on Node 20 (the host loses
// its dynamic-import callback), so every import() in the bundle calls this function instead,
// which bin/fast-load.js defines in real ESM.
const IMPORT = 'globalThis[Symbol.for("dc.import")]'

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
  plugins: [{
    name: 'dc-cli',
    setup(b) {
      // import() of a package name is bundled like a require (esbuild does that itself: e.g.
      // oclif's platform probe, wsl-utils, which unbundled costs ~15 ms of ESM loading).
      // Every other import() becomes a runtime call that loads outside the bundle: computed
      // specifiers (oclif loading a file by path), Node builtins, and relative ones (`dc agent`'s lazy import
      // of the agent runtime), the latter rewritten relative to dist/, where the bundle is.
      b.onLoad({filter: /\.(c|m)?js$/}, (args) => {
        const src = readFileSync(args.path, 'utf8')
        if (!/\bimport\(/.test(src)) return undefined
        const contents = src
          .replace(/\bimport\((['"])(\.\.?\/[^'"]+)\1\)/g, (_m, q, spec) => {
            const fromDist = relative(dist, resolve(dirname(args.path), spec)).split(sep).join('/')
            return `${IMPORT}(${q}./${fromDist}${q})`
          })
          .replace(/\bimport\((?!['"](?!node:))/g, `${IMPORT}(`)
        return {contents, loader: 'js'}
      })
    },
  }],
})

const out = readFileSync(`${root}/${outfile}`, 'utf8')
if (/[^.\w$]import\(/.test(out)) throw new Error(`${outfile} still contains import(): bin/fast-load.js could not run it`)
// The build makes a fresh bundle; its code cache is written by the first run (bin/fast-load.js).
rmSync(`${root}/dist/cli.bundle.cache`, {force: true})
rmSync(`${root}/dist/cli.bundle.js`, {force: true})
// Write the cache now, so the first command a user runs is fast too.
const warm = spawnSync(process.execPath, [`${root}/bin/run.js`, '--help'], {stdio: 'ignore', env: {...process.env, NO_COLOR: '1'}})
if (warm.status !== 0) throw new Error(`bin/run.js --help with the new bundle exited ${warm.status}`)
