import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Random} from './env/types.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The node's UUID: -node-id if given, else `<data_dir>/node-id` (created on first
 * start, as Consul does), else a fresh one for an in-memory dev agent. Like Consul,
 * dc never derives it from the host (disable_host_node_id defaults to true). A
 * configured ID wins over the file, which is left alone; `warn` says when they differ,
 * since the pool and the catalog will then know this node by the configured one.
 */
export function loadNodeId(configured: string | undefined, dataDir: string | undefined, random: Random, warn?: (msg: string) => void): string {
  if (configured) {
    if (!UUID.test(configured)) throw new Error(`node_id "${configured}" is not a valid UUID`)
    const id = configured.toLowerCase()
    const file = dataDir ? join(dataDir, 'node-id') : undefined
    if (file && existsSync(file)) {
      const saved = readFileSync(file, 'utf8').trim().toLowerCase()
      if (saved && saved !== id) warn?.(`node_id ${id} from the configuration differs from ${saved} in ${file}; using the configured one (another agent's data dir, or a changed -node-id?)`)
    }
    return id
  }
  if (!dataDir) return random.uuid()
  const file = join(dataDir, 'node-id')
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim()
    if (!UUID.test(id)) throw new Error(`${file} does not hold a valid UUID; remove it to generate a new one`)
    return id.toLowerCase()
  }
  mkdirSync(dataDir, {recursive: true, mode: 0o700})
  const id = random.uuid()
  writeFileSync(file, id, {mode: 0o600})
  return id
}
