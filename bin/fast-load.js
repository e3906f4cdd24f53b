// Loads the CLI bundle (dist/cli.bundle.cjs, see scripts/bundle-cli.mjs) through V8's code
// cache: the first run after a build compiles it and saves the bytecode next to it
// (dist/cli.bundle.cache), later runs skip most of parsing and compiling. Node 20 has no
// built-in compile cache (module.enableCompileCache is Node 22), so this does it by hand with
// vm.Script, the way v8-compile-cache does for CommonJS.
import {readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import vm from 'node:vm'

/**
 * Runs the bundle as a CommonJS module and returns its exports. `oclif` false: a bundle without
 * @oclif/core (dist/cli.fast.cjs), whose __dirname is its own.
 */
export function loadBundle(bundlePath, {oclif = true} = {}) {
  const cachePath = bundlePath.replace(/\.cjs$/, '.cache')
  const source = readFileSync(bundlePath, 'utf8')
  // V8 checks a cache against the source's length only, so the cache names the exact bundle
  // file it was made from (size and mtime); any other bundle ignores it and writes its own.
  const st = statSync(bundlePath)
  const stamp = Buffer.from(`${st.size}:${st.mtimeMs}\n`)
  let cachedData
  try {
    const c = readFileSync(cachePath)
    if (c.subarray(0, stamp.length).equals(stamp)) cachedData = c.subarray(stamp.length)
  } catch {
    // no cache yet
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {filename: bundlePath, cachedData})
  if (cachedData === undefined || script.cachedDataRejected) {
    // After the run, so the functions the command compiled on the way are in the cache too.
    process.once('exit', () => {
      try {
        const tmp = `${cachePath}.${process.pid}`
        writeFileSync(tmp, Buffer.concat([stamp, script.createCachedData()]))
        renameSync(tmp, cachePath)
      } catch {
        // A read-only install runs without a cache.
      }
    })
  }
  const bundleUrl = pathToFileURL(bundlePath)
  // Every import() in the bundle calls this (see scripts/bundle-cli.mjs); relative specifiers
  // are relative to the bundle's directory.
  globalThis[Symbol.for('dc.import')] = (specifier) =>
    import(/^\.\.?\//.test(specifier) ? new URL(specifier, bundleUrl).href : specifier)
  const require = createRequire(bundlePath)
  // oclif reads its own package.json through __dirname; point it at @oclif/core's lib, where
  // that code lives unbundled.
  const dir = oclif ? join(dirname(require.resolve('@oclif/core/package.json')), 'lib') : dirname(bundlePath)
  const module = {exports: {}}
  script.runInThisContext()(module.exports, require, module, oclif ? join(dir, 'index.js') : bundlePath, dir)
  return module.exports
}
