#!/usr/bin/env node
// npm run bench: runs every benchmark script (bench/*.mjs except lib.mjs) in turn and prints its figures.
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const dir = fileURLToPath(new URL('.', import.meta.url))
const only = process.argv[2]
for (const f of readdirSync(dir).filter((f) => f.endsWith('.mjs') && !['lib.mjs', 'etcd-peer.mjs'].includes(f)).sort()) {
  if (only && !f.includes(only)) continue
  console.log(`# ${f}`)
  const r = spawnSync(process.execPath, [dir + f], {stdio: 'inherit'})
  if (r.status !== 0) console.log(`# ${f} exited with ${r.status}`)
}
