import {DcCommand, staleFlag} from '../../cli/base-command.js'
import {replicationStatusText} from '../../cli/format/replication.js'

export default class ReplicationStatus extends DcCommand {
  static override summary = 'Show KV prefix replication from another datacenter (a dc extension)'
  static override description = 'Per replicated prefix: the source datacenter, the source index replicated, the local index, the lag (in indexes and time since the last successful round) and the last error. Answered by the leader of the datacenter asked (-datacenter to ask another).'
  static override examples = ['<%= config.bin %> replication status', '<%= config.bin %> replication status -format=json', '<%= config.bin %> replication status -datacenter dc2']
  static override flags = {...staleFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(ReplicationStatus)
    const {body} = await this.api.replication.status({stale: flags.stale})
    this.emit(body, replicationStatusText)
  }
}
