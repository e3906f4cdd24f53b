import {Args, Flags} from '@oclif/core'
import {DcCommand} from '../cli/base-command.js'
import {CliError} from '../cli/errors.js'

export default class Event extends DcCommand {
  static override summary = 'Fires a new user event'
  static override description =
    'Sends a user event to every agent of the datacenter over gossip; agents keep the last 256 ' +
    '(GET /v1/event/list). Keep payloads small (under ~100 bytes): gossip packets are limited.'

  static override examples = [
    '<%= config.bin %> event -name deploy v42',
    '<%= config.bin %> event -name deploy -service web -tag blue v42',
  ]

  static override args = {payload: Args.string({description: 'Event payload', required: false})}
  static override flags = {
    name: Flags.string({summary: 'Name of the event.'}),
    node: Flags.string({summary: 'Regular expression to filter on node names.'}),
    service: Flags.string({summary: 'Regular expression to filter on service instances.'}),
    tag: Flags.string({summary: 'Regular expression to filter on service tags (needs -service).'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Event)
    if (!flags.name) throw new CliError('Event name must be specified', {hint: "See 'dc event --help'."})
    if (flags.name.startsWith('_')) throw new CliError("Event name cannot start with '_'")
    if (flags.tag && !flags.service) throw new CliError('Cannot provide tag filter with no service filter.')
    const {body} = await this.api.event.fire(flags.name, args.payload ?? '', {node: flags.node, service: flags.service, tag: flags.tag})
    this.emit(body, (e) => `Event ID: ${e.ID}`)
  }
}
