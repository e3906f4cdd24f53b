import {DcCommand, staleFlag} from '../../../cli/base-command.js'
import {autopilotStateText} from '../../../cli/format/autopilot.js'

export default class OperatorAutopilotState extends DcCommand {
  static override summary = 'Display the current Autopilot state'
  static override examples = ['<%= config.bin %> operator autopilot state', '<%= config.bin %> operator autopilot state -format=json']
  static override flags = {...staleFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(OperatorAutopilotState)
    const {body} = await this.api.operator.autopilotState({stale: flags.stale})
    this.emit(body, autopilotStateText)
  }
}
