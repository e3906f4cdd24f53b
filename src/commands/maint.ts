import {Flags} from '@oclif/core'
import {DcCommand} from '../cli/base-command.js'
import {CliError} from '../cli/errors.js'
import {maintenanceEntries, maintenanceLines} from '../cli/format/maint.js'

export default class Maint extends DcCommand {
  static override summary = 'Controls node or service maintenance mode'
  static override description =
    'Without flags, lists what is in maintenance. -enable/-disable toggle maintenance for the node, or for one service with -service=ID; ' +
    'maintenance registers a critical check, so the node or service drops out of DNS and health queries.'

  static override examples = [
    '<%= config.bin %> maint',
    '<%= config.bin %> maint -enable -reason="kernel upgrade"',
    '<%= config.bin %> maint -disable -service=web-1',
  ]

  static override flags = {
    enable: Flags.boolean({summary: 'Enable maintenance mode.'}),
    disable: Flags.boolean({summary: 'Disable maintenance mode.'}),
    reason: Flags.string({summary: 'Text describing the maintenance reason.', default: ''}),
    service: Flags.string({summary: 'Service ID to act on instead of the node.', default: ''}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Maint)
    if (flags.enable && flags.disable) throw new CliError('Only one of -enable or -disable may be provided')
    if (!flags.enable && flags.reason !== '') throw new CliError('Reason may only be provided with -enable')
    if (!flags.enable && !flags.disable && flags.service !== '') throw new CliError('Service requires either -enable or -disable')
    const agent = this.api.agent

    if (!flags.enable && !flags.disable) {
      const [{body: self}, {body: checks}] = await Promise.all([agent.self(), agent.checks()])
      this.emit(maintenanceEntries(checks, self.Config.NodeName), maintenanceLines)
      return
    }
    const enable = flags.enable === true
    const word = enable ? 'enabled' : 'disabled'
    if (flags.service === '') {
      await agent.maintenance(enable, flags.reason)
      return this.emit({Kind: 'node', Enabled: enable}, () => `Node maintenance is now ${word}`)
    }
    await agent.serviceMaintenance(flags.service, enable, flags.reason)
    this.emit({Kind: 'service', ID: flags.service, Enabled: enable}, () => `Service maintenance is now ${word} for ${JSON.stringify(flags.service)}`)
  }
}
