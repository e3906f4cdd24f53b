import {Args, Flags} from '@oclif/core'
import {CliCommand} from '../cli/base-command.js'
import {CliError} from '../cli/errors.js'

/** `consul validate`: checks config files and directories as `dc agent` would load them, plugins included. */
export default class Validate extends CliCommand {
  static override summary = 'Validates config files or directories'
  static override description =
    'Loads the given config files and directories (*.json, in lexical order) as the agent would, and checks them: keys and values, ' +
    'plugin entries (each plugin is found, imported and registered, so its code runs), service and check definitions against the ' +
    'check types available, and provider= join entries. Prints "Configuration is valid!" or the first problem (exit 1). Needs no agent.'

  static override examples = ['<%= config.bin %> validate /etc/dc.d', '<%= config.bin %> validate base.json plugins.json']
  static override strict = false
  static override args = {paths: Args.string({description: 'Config files or directories', required: true})}
  static override flags = {
    quiet: Flags.boolean({summary: 'Print nothing when the configuration is valid.'}),
    'config-format': Flags.string({summary: 'Format of files without extension (json only for now).', options: ['json']}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Validate)
    const {validateConfigPaths} = await import('../agent/config/validate.js')
    const r = await validateConfigPaths(argv as string[])
    for (const w of r.warnings) process.stderr.write(`${w}\n`)
    if (!r.ok) throw new CliError(`Config validation failed: ${r.error}`)
    if (flags.quiet) return
    for (const p of r.plugins) this.out(`Plugin ${p}`)
    this.out('Configuration is valid!')
  }
}
