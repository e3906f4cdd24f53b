import {Flags} from '@oclif/core'
import {DcCommand} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {servicesFromFiles} from '../../cli/service-file.js'

export default class ServicesDeregister extends DcCommand {
  static override summary = 'Deregisters services from the local agent'
  static override description = 'Deregisters the services defined in the given files (by ID, else name), or the one given by -id.'
  static override examples = ['<%= config.bin %> services deregister -id=web', '<%= config.bin %> services deregister web.json db.json']
  static override strict = false

  static override flags = {
    id: Flags.string({summary: 'Service ID to deregister (instead of files).'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(ServicesDeregister)
    const files = argv as string[]
    if (files.length === 0 && !flags.id) throw new CliError('Service deregistration requires at least one argument or -id.')
    if (files.length > 0 && flags.id) throw new CliError('Service deregistration requires arguments or -id, not both.')
    let ids: string[]
    try {
      ids = files.length ? servicesFromFiles(files).map((s) => s.ID || s.Name) : [flags.id!]
    } catch (e) {
      throw new CliError((e as Error).message)
    }
    const done: string[] = []
    for (const id of ids.filter(Boolean)) {
      try {
        await this.api.agent.serviceDeregister(id)
      } catch (e) {
        throw new CliError(`Error deregistering service ${JSON.stringify(id)}: ${(e as Error).message}`, {hint: (e as {hint?: string}).hint})
      }
      done.push(id)
      if (!this.jsonOutput) this.out(`Deregistered service: ${id}`)
    }
    if (this.jsonOutput) this.emit({Deregistered: done}, () => undefined)
  }
}
