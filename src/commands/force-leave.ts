import {Args, Flags} from '@oclif/core'
import {DcCommand} from '../cli/base-command.js'

export default class ForceLeave extends DcCommand {
  static override summary = 'Forces a member of the cluster to enter the "left" state'
  static override description = 'Moves a failed member to left (with -prune, removes it from the member list entirely).'
  static override examples = ['<%= config.bin %> force-leave node2', '<%= config.bin %> force-leave -prune node2']

  static override args = {node: Args.string({description: 'Node name', required: true})}
  static override flags = {
    prune: Flags.boolean({summary: 'Remove the member from the member list entirely.'}),
    wan: Flags.boolean({summary: 'Act on the WAN pool (node name as node.dc).'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ForceLeave)
    await this.api.agent.forceLeave(args.node, {prune: flags.prune, wan: flags.wan})
    this.emit({Node: args.node, Success: true}, () => undefined)
  }
}
