import {DcCommand} from '../cli/base-command.js'

export default class Leave extends DcCommand {
  static override summary = 'Gracefully leaves the cluster and shuts down the agent'
  static override examples = ['<%= config.bin %> leave', '<%= config.bin %> leave -http-addr=127.0.0.1:8500']

  async run(): Promise<void> {
    await this.parse(Leave)
    await this.api.agent.leave()
    this.emit({Left: true}, () => 'Graceful leave complete')
  }
}
