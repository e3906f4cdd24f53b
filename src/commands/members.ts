import {Flags} from '@oclif/core'
import {DcCommand} from '../cli/base-command.js'
import {CliError} from '../cli/errors.js'
import {memberRows, selectMembers} from '../cli/format/members.js'
import {columnize} from '../cli/render.js'

export default class Members extends DcCommand {
  static override summary = 'Lists the members of a cluster'
  static override description =
    'Prints the gossip members the agent knows: Node, Address, Status, Type, Build, Protocol, DC, Partition, Segment. ' +
    'Exits 2 when no member matches -status.'

  static override examples = [
    '<%= config.bin %> members',
    '<%= config.bin %> members -status=alive',
    '<%= config.bin %> members -wan -detailed',
    "<%= config.bin %> members | awk '/alive/{print $2}'",
  ]

  static override flags = {
    detailed: Flags.boolean({summary: 'Show all tags of each member.'}),
    wan: Flags.boolean({summary: 'List the WAN pool (servers only).'}),
    status: Flags.string({summary: 'Only members whose status matches this regular expression.', default: '.*'}),
    filter: Flags.string({summary: 'Filter expression evaluated by the agent.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Members)
    let statusRe: RegExp
    try {
      statusRe = new RegExp(flags.status)
    } catch (e) {
      throw new CliError(`Failed to compile status regexp: ${(e as Error).message}`)
    }
    const {body} = await this.api.agent.members({wan: flags.wan, filter: flags.filter})
    const shown = selectMembers(body, statusRe)
    if (shown.length === 0) this.exitWith(2)
    this.emit(
      shown.map((s) => s.member),
      () => columnize(memberRows(shown, flags.detailed), (text, col, row) => this.paint(text, col, row)),
    )
  }

  /** Header bold; Status (third column in both layouts) green/red/yellow. No-op without colour. */
  private paint(text: string, col: number, row: number): string {
    if (row === 0) return this.style.bold(text)
    if (col !== 2) return text
    if (text === 'alive') return this.style.green(text)
    return text === 'failed' ? this.style.red(text) : this.style.yellow(text)
  }
}
