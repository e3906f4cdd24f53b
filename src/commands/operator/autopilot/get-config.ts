import {DcCommand, staleFlag} from '../../../cli/base-command.js'
import {autopilotConfigLines} from '../../../cli/format/autopilot.js'

export default class OperatorAutopilotGetConfig extends DcCommand {
  static override summary = 'Display the current Autopilot configuration'
  static override examples = ['<%= config.bin %> operator autopilot get-config', '<%= config.bin %> operator autopilot get-config -format=json']
  static override flags = {...staleFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(OperatorAutopilotGetConfig)
    const {body} = await this.api.operator.autopilotGetConfiguration({stale: flags.stale})
    this.emit(body, autopilotConfigLines)
  }
}
