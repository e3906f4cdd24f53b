import {DcCommand, staleFlag} from '../../../cli/base-command.js'
import {peerRows} from '../../../cli/format/raft.js'
import {columnize} from '../../../cli/render.js'

export default class OperatorRaftListPeers extends DcCommand {
  static override summary = 'Displays the current Raft peer configuration'
  static override description =
    'Columns Node, ID, Address, State, Voter, RaftProtocol (+ Commit Index and Trails Leader By when the server reports autopilot health).'

  static override examples = ['<%= config.bin %> operator raft list-peers', '<%= config.bin %> operator raft list-peers -stale']
  static override flags = {...staleFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(OperatorRaftListPeers)
    const q = {stale: flags.stale}
    const [{body: cfg}, health] = await Promise.all([
      this.api.operator.raftConfiguration(q),
      // Older servers (and dc before autopilot) have no health endpoint: fall back to six columns.
      this.api.operator.autopilotHealth(q).then((r) => r.body, () => null),
    ])
    this.emit(cfg, (c) => columnize(peerRows(c, health?.Servers ? health : null), (t, _col, row) => (row === 0 ? this.style.bold(t) : t)))
  }
}
