import {DcCommand} from '../cli/base-command.js'

export default class Reload extends DcCommand {
  static override summary = 'Triggers the agent to reload its configuration files'
  static override examples = ['<%= config.bin %> reload']

  async run(): Promise<void> {
    await this.parse(Reload)
    await this.api.agent.reload()
    this.emit({Reloaded: true}, () => 'Configuration reload triggered')
  }
}
