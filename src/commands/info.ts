import {DcCommand} from '../cli/base-command.js'
import {infoLines} from '../cli/format/info.js'

export default class Info extends DcCommand {
  static override summary = 'Provides debugging information for operators'
  static override description = 'Prints the agent\'s Stats from /v1/agent/self as sections (agent:, raft:, serf_lan:, ...) of key = value lines.'
  static override examples = ['<%= config.bin %> info', '<%= config.bin %> info -format=json']

  async run(): Promise<void> {
    await this.parse(Info)
    const {body} = await this.api.agent.self()
    this.emit(body.Stats ?? {}, infoLines)
  }
}
