import {Flags} from '@oclif/core'
import {existsSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {CliCommand, outputFlags} from '../../../cli/base-command.js'
import {CliError} from '../../../cli/errors.js'
import {PEERS_INFO, PEERS_JSON, formatPeersJson, parsePeersJson, type PeerEntry} from '../../../agent/server/peers-json.js'

/**
 * dc's addition to Consul's manual outage recovery: writes <data-dir>/raft/peers.json
 * for a stopped server and says what its next start will do with it.
 */
export default class OperatorRaftRecover extends CliCommand {
  static override summary = 'Write raft/peers.json for outage recovery of a stopped server'
  static override description = `When the servers lost their quorum for good: stop every surviving server, run this on each with the same -peer list, and start them again. At start the server replaces its Raft membership with these peers and deletes the file (Consul's peers.json recovery).`

  static override examples = ['<%= config.bin %> operator raft recover -data-dir=/var/lib/dc -peer=5f1a…=10.0.0.11:8300 -peer=0b7a…=10.0.0.12:8300']
  static override flags = {
    ...outputFlags,
    'data-dir': Flags.string({summary: 'The stopped server\'s data directory.', required: true}),
    peer: Flags.string({summary: 'A voter, as <node-id>=<ip:port> (repeatable).', multiple: true}),
    'non-voter': Flags.string({summary: 'A non-voting server, as <node-id>=<ip:port> (repeatable).', multiple: true}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(OperatorRaftRecover)
    const raftDir = join(resolve(flags['data-dir']), 'raft')
    if (!existsSync(join(raftDir, 'raft.db'))) throw new CliError(`no Raft data at ${join(raftDir, 'raft.db')}: is ${flags['data-dir']} a server's data directory?`)
    const entry = (v: string, nonVoter: boolean): PeerEntry => {
      const i = v.indexOf('=')
      if (i <= 0 || i === v.length - 1) throw new CliError(`invalid peer "${v}": expected <node-id>=<ip:port>`)
      return {id: v.slice(0, i), address: v.slice(i + 1), nonVoter}
    }
    const peers = [...(flags.peer ?? []).map((v) => entry(v, false)), ...(flags['non-voter'] ?? []).map((v) => entry(v, true))]
    if (peers.length === 0) throw new CliError('at least one -peer <node-id>=<ip:port> is required')
    const text = formatPeersJson(peers)
    try {
      parsePeersJson(text) // the same checks the server applies at start
    } catch (e) {
      throw new CliError((e as Error).message.replace(/^recovery failed to parse peers\.json: /, '').replace(/\. Fix or delete.*$/, ''))
    }
    const file = join(raftDir, PEERS_JSON)
    writeFileSync(file, text, {mode: 0o600})
    // The server only honours peers.json next to peers.info (Consul's guard against stale files).
    if (!existsSync(join(raftDir, PEERS_INFO))) writeFileSync(join(raftDir, PEERS_INFO), 'Written by dc operator raft recover; see docs/operator.md, "Outage recovery".\n')
    const voters = peers.filter((p) => !p.nonVoter)
    const nonVoters = peers.filter((p) => p.nonVoter)
    this.emit({File: file, Peers: peers.map((p) => ({ID: p.id, Address: p.address, Voter: !p.nonVoter}))}, () => [
      `Wrote ${file}`,
      '',
      'At its next start this server will:',
      `  1. rebuild its state from its latest snapshot and every entry of its Raft log`,
      `  2. replace its Raft membership with ${voters.length} voter${voters.length === 1 ? '' : 's'}${nonVoters.length ? ` and ${nonVoters.length} non-voter${nonVoters.length === 1 ? '' : 's'}` : ''}:`,
      ...peers.map((p) => `       ${p.id}  ${p.address}  ${p.nonVoter ? 'non-voter' : 'voter'}`),
      `  3. delete ${PEERS_JSON} and log "RAFT CONFIGURATION RECOVERED"`,
      '',
      'The server must be stopped now. Write the same file on every surviving server, then start them.',
    ])
  }
}
