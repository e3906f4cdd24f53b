import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {goDuration} from '../raft/node.js'

/** Consul's data_dir/server_metadata.json: when this server was last seen running. */
export const SERVER_METADATA_FILE = 'server_metadata.json'

export class ServerMetadataError extends Error {}

interface ServerMetadata {
  last_seen_unix: number
  /** dc's addition (Consul ignores unknown fields): the datacenter this data belongs to. */
  datacenter?: string
}

/**
 * Refuses to start a server whose data dir was last used too long ago (its Raft state
 * may be far behind, or it may have been replaced meanwhile) or by another datacenter.
 * A data dir without the file (new, or from before this check) passes.
 */
export function checkServerMetadata(dataDir: string, o: {nowMs: number; maxAgeMs: number; datacenter: string}): void {
  const file = join(dataDir, SERVER_METADATA_FILE)
  if (!existsSync(file)) return
  let md: ServerMetadata
  try {
    md = JSON.parse(readFileSync(file, 'utf8')) as ServerMetadata
  } catch (e) {
    throw new ServerMetadataError(`cannot read ${file}: ${(e as Error).message}; fix or delete the file`)
  }
  if (md.datacenter && md.datacenter !== o.datacenter) {
    throw new ServerMetadataError(`data dir ${dataDir} belongs to datacenter "${md.datacenter}", not "${o.datacenter}": start with -datacenter=${md.datacenter} or use an empty -data-dir`)
  }
  if (typeof md.last_seen_unix === 'number' && md.last_seen_unix > 0 && o.nowMs - md.last_seen_unix * 1000 > o.maxAgeMs) {
    throw new ServerMetadataError(`refusing to rejoin cluster because server has been offline for more than the configured server_rejoin_age_max (${goDuration(o.maxAgeMs)}) - consider wiping your data dir`)
  }
}

/** Records that this server is running now (at start and periodically). */
export function writeServerMetadata(dataDir: string, o: {nowMs: number; datacenter: string}): void {
  const file = join(dataDir, SERVER_METADATA_FILE)
  const md: ServerMetadata = {last_seen_unix: Math.floor(o.nowMs / 1000), datacenter: o.datacenter}
  writeFileSync(`${file}.tmp`, JSON.stringify(md))
  renameSync(`${file}.tmp`, file)
}
