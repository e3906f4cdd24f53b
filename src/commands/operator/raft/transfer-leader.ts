import {Flags} from '@oclif/core'
import {DcCommand} from '../../../cli/base-command.js'
import {CliError} from '../../../cli/errors.js'

export default class OperatorRaftTransferLeader extends DcCommand {
  static override summary = 'Transfer raft leadership to another node'
  static override description = 'Without -id, Raft picks the most up-to-date other voter. Prints "Success" once leadership moved.'
  static override examples = ['<%= config.bin %> operator raft transfer-leader', '<%= config.bin %> operator raft transfer-leader -id=5f1a…']
  static override flags = {
    id: Flags.string({summary: 'The ID of the node to transfer leadership to.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(OperatorRaftTransferLeader)
    const {body} = await this.api.operator.raftTransferLeader(flags.id)
    if (!body.Success) throw new CliError('Error transfering leadership: Failed to transfer leadership')
    this.emit(body, () => 'Success')
  }
}
