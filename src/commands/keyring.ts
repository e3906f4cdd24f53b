import {Flags} from '@oclif/core'
import {DcCommand} from '../cli/base-command.js'
import {CliError} from '../cli/errors.js'
import {keyringText} from '../cli/format/keyring.js'

export default class Keyring extends DcCommand {
  static override summary = 'Manages gossip layer encryption keys'
  static override description =
    'Lists, installs, makes primary, or removes gossip encryption keys on every member of the LAN pool ' +
    '(and the WAN pool on servers). Rotate with -install NEW, then -use NEW, then -remove OLD.'

  static override examples = [
    '<%= config.bin %> keyring -list',
    '<%= config.bin %> keyring -install $(<%= config.bin %> keygen)',
    '<%= config.bin %> keyring -use <key>',
    '<%= config.bin %> keyring -remove <old key>',
  ]

  static override flags = {
    list: Flags.boolean({summary: 'List installed keys and how many members hold each.'}),
    'list-primary': Flags.boolean({summary: 'List the primary key of each pool.'}),
    install: Flags.string({summary: 'Install a new key (base64) on every member.'}),
    use: Flags.string({summary: 'Make an installed key the primary key.'}),
    remove: Flags.string({summary: 'Remove a key (not the primary) from every member.'}),
    'relay-factor': Flags.integer({summary: 'Members that relay each reply (0-5) for reliability.', default: 0}),
    'local-only': Flags.boolean({summary: 'Query only this datacenter\'s LAN pool (with -list).'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Keyring)
    const chosen = (['list', 'list-primary', 'install', 'use', 'remove'] as const).filter((k) => flags[k] !== undefined && flags[k] !== false)
    if (chosen.length !== 1) throw new CliError('Exactly one of -list, -list-primary, -install, -use, or -remove must be provided', {hint: "See 'dc keyring --help'."})
    const rf = flags['relay-factor']
    if (rf < 0 || rf > 5) throw new CliError('Relay factor must be in range: [0, 5]')
    const op = chosen[0]
    if (op === 'list' || op === 'list-primary') {
      if (!this.jsonOutput) this.out(`==> Gathering installed ${op === 'list-primary' ? 'primary ' : ''}encryption keys...`)
      const {body} = await this.api.operator.keyringList({relayFactor: rf, localOnly: flags['local-only']})
      this.emit(body, (b) => keyringText(b, op === 'list-primary'))
      return
    }
    if (flags['local-only']) throw new CliError('Local-only can only be used with list operations')
    const key = flags[op] as string
    const what = {install: 'Installing new gossip encryption key...', use: 'Changing primary gossip encryption key...', remove: 'Removing gossip encryption key...'}[op]
    if (!this.jsonOutput) this.out(`==> ${what}`)
    await this.api.operator.keyringChange(op, key, {relayFactor: rf})
    this.emit({Operation: op, Key: key, Success: true}, () => undefined)
  }
}
