import {Flags} from '@oclif/core'
import {DcCommand} from '../../../cli/base-command.js'
import {CliError} from '../../../cli/errors.js'

export default class OperatorRaftRemovePeer extends DcCommand {
  static override summary = 'Remove a Consul server from the Raft configuration'
  static override description =
    'For a server that is gone but still in the Raft configuration. A server still listed by `members` is better removed with `force-leave`.'

  static override examples = ['<%= config.bin %> operator raft remove-peer -id=5f1a…', '<%= config.bin %> operator raft remove-peer -address=10.0.0.12:8300']
  static override flags = {
    id: Flags.string({summary: 'The ID to remove from the Raft configuration.'}),
    address: Flags.string({summary: 'The address to remove from the Raft configuration.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(OperatorRaftRemovePeer)
    const address = flags.address ?? ''
    const id = flags.id ?? ''
    if (!address && !id) throw new CliError('Error removing peer: an address or id is required for the peer to remove')
    if (address && id) throw new CliError('Error removing peer: cannot give both an address and id')
    await this.api.operator.raftRemovePeer(address ? {address} : {id})
    const by = address ? {Address: address} : {ID: id}
    this.emit({...by, Removed: true}, () => (address ? `Removed peer with address "${address}"` : `Removed peer with id "${id}"`))
  }
}
