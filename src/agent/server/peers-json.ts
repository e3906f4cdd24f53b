import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Logger} from '../env/types.js'
import type {Fsm} from '../raft/fsm.js'
import {recoverCluster} from '../raft/recover.js'
import type {RaftStore} from '../../store/raft/types.js'

/** One server of Consul's raft/peers.json (Raft protocol 3 format). */
export interface PeerEntry {
  id: string
  address: string
  nonVoter: boolean
}

export const PEERS_JSON = 'peers.json'
export const PEERS_INFO = 'peers.info'

/** Why the agent refuses to start: a message that says what to do. */
export class PeersJsonError extends Error {}

/**
 * Parses peers.json: a JSON array of {"id", "address", "non_voter"}, ids and addresses
 * unique and non-empty, at least one voter (hashicorp/raft's ReadConfigJSON rules).
 */
export function parsePeersJson(text: string, path = PEERS_JSON): PeerEntry[] {
  const fail = (why: string): never => {
    throw new PeersJsonError(`recovery failed to parse ${path}: ${why}. Fix or delete the file and start again (docs/operator.md, "Outage recovery")`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    return fail((e as Error).message)
  }
  if (!Array.isArray(raw)) return fail('expected a JSON array of {"id", "address", "non_voter"}')
  const ids = new Set<string>()
  const addresses = new Set<string>()
  const out: PeerEntry[] = []
  for (const [i, e] of raw.entries()) {
    if (e === null || typeof e !== 'object' || Array.isArray(e)) return fail(`entry ${i} is not an object`)
    const {id, address, non_voter: nonVoter} = e as Record<string, unknown>
    if (typeof id !== 'string' || id === '') return fail(`entry ${i}: empty ID in configuration`)
    if (typeof address !== 'string' || address === '') return fail(`entry ${i}: empty address in configuration`)
    if (nonVoter !== undefined && typeof nonVoter !== 'boolean') return fail(`entry ${i}: non_voter must be true or false`)
    if (ids.has(id)) return fail(`found duplicate ID in configuration: (${id})`)
    if (addresses.has(address)) return fail(`found duplicate address in configuration: (${address})`)
    ids.add(id)
    addresses.add(address)
    out.push({id, address, nonVoter: nonVoter === true})
  }
  if (!out.some((p) => !p.nonVoter)) return fail('need at least one voter in configuration')
  return out
}

/** The file as `dc operator raft recover` writes it (Consul's format, 2-space indent). */
export function formatPeersJson(peers: PeerEntry[]): string {
  return JSON.stringify(peers.map((p) => ({id: p.id, address: p.address, non_voter: p.nonVoter})), null, 2) + '\n'
}

const PEERS_INFO_TEXT = `This directory can hold a peers.json file for outage recovery.

When a Raft group has permanently lost its quorum, stop every surviving server, write the
same peers.json into this directory on each of them, and start them again. At start a
server reads the file, replaces its Raft membership with the servers it lists, and
deletes it. The format (Raft protocol 3):

[
  {"id": "<node-id>", "address": "<ip>:<server port>", "non_voter": false}
]

\`dc operator raft recover -data-dir <dir> -peer <id>=<ip:port> ...\` writes it for you.
See docs/operator.md, "Outage recovery".
`

/**
 * Consul's start-up handling of <data_dir>/raft/peers.json: on the first start of a data
 * dir that has no peers.info yet, peers.info is written and a stray peers.json deleted
 * unread (it predates this server); otherwise a peers.json becomes the new Raft
 * membership (recoverCluster) and is deleted. Returns the peers applied, or undefined.
 */
export function recoverFromPeersJson(o: {raftDir: string; store: RaftStore; fsm: () => Fsm; log: Logger}): PeerEntry[] | undefined {
  const peersFile = join(o.raftDir, PEERS_JSON)
  const infoFile = join(o.raftDir, PEERS_INFO)
  if (!existsSync(infoFile)) {
    writeFileSync(infoFile, PEERS_INFO_TEXT)
    if (existsSync(peersFile)) {
      rmSync(peersFile)
      o.log.warn(`deleted ${peersFile} unread: it was there before ${PEERS_INFO} (see ${infoFile})`)
    }
    return undefined
  }
  if (!existsSync(peersFile)) return undefined
  o.log.warn(`found ${peersFile}, recovering Raft configuration...`)
  const peers = parsePeersJson(readFileSync(peersFile, 'utf8'), peersFile)
  const conf = {voters: peers.filter((p) => !p.nonVoter).map((p) => p.id), learners: peers.filter((p) => p.nonVoter).map((p) => p.id)}
  let at: {index: number; term: number}
  try {
    at = recoverCluster(o.store, o.fsm(), conf)
  } catch (e) {
    throw new PeersJsonError(`recovery failed: ${(e as Error).message}`)
  }
  try {
    rmSync(peersFile)
  } catch (e) {
    throw new PeersJsonError(`recovery failed to delete ${peersFile}, please delete manually (see ${infoFile} for details): ${(e as Error).message}`)
  }
  o.log.warn('RAFT CONFIGURATION RECOVERED from peers.json; file deleted', {
    index: at.index, term: at.term, voters: conf.voters, non_voters: conf.learners, addresses: peers.map((p) => `${p.id}=${p.address}`),
  })
  return peers
}
