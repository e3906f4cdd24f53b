// esbuild plugin shared by the CLI bundles (scripts/bundle-cli.mjs, scripts/build-cli-fast.mjs).
// import() cannot run inside a script compiled with cached data on Node 20 (the host loses
// its dynamic-import callback), so every import() in a bundle calls this function instead,
// which bin/fast-load.js defines in real ESM.
import {readFileSync} from 'node:fs'
import {dirname, relative, resolve, sep} from 'node:path'

export const IMPORT = 'globalThis[Symbol.for("dc.import")]'

/** `dist`: the bundle's directory, which relative import() specifiers are rewritten against. */
export function dynamicImportPlugin(dist) {
  return {
    name: 'dc-dynamic-import',
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
  }
}

/** Throws when `file` still has an import() that bin/fast-load.js could not run. */
export function assertNoImport(file) {
  if (/[^.\w$]import\(/.test(readFileSync(file, 'utf8'))) throw new Error(`${file} still contains import(): bin/fast-load.js could not run it`)
}
