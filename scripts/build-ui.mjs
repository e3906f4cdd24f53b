#!/usr/bin/env node
// Builds the web UI into dist/ui/: one esbuild bundle (JS + CSS) named by content hash
// under assets/, a gzip copy of each for clients that accept it, and index.html with
// the asset tags filled in. Runs in `npm run build`, so a fresh clone's install has it.
import {build} from 'esbuild'
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {gzipSync} from 'node:zlib'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'src/agent/ui/web')
const out = join(root, 'dist/ui')

rmSync(out, {recursive: true, force: true})
mkdirSync(join(out, 'assets'), {recursive: true})

const result = await build({
  entryPoints: [join(src, 'main.js')],
  bundle: true,
  format: 'esm',
  target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: false,
  outdir: join(out, 'assets'),
  entryNames: 'app-[hash]',
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
})

const files = Object.keys(result.metafile.outputs).map((f) => join(root, f))
let raw = 0
let gz = 0
for (const f of files) {
  const bytes = readFileSync(f)
  const zipped = gzipSync(bytes, {level: 9})
  writeFileSync(f + '.gz', zipped)
  raw += bytes.length
  gz += zipped.length
}
const tags = files
  .map((f) => `assets/${basename(f)}`)
  // Stylesheet first, so the first paint is already styled.
  .sort((a, b) => Number(a.endsWith('.js')) - Number(b.endsWith('.js')))
  .map((f) => (f.endsWith('.css') ? `<link rel="stylesheet" href="${f}" />` : `<script type="module" src="${f}"></script>`))
  .join('\n    ')
writeFileSync(join(out, 'index.html'), readFileSync(join(src, 'index.html'), 'utf8').replace('<!--ASSETS-->', tags))
console.log(`ui: ${files.length} assets, ${(raw / 1024).toFixed(1)} KiB (${(gz / 1024).toFixed(1)} KiB gzipped) → dist/ui`)
