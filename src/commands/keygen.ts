import {randomBytes} from 'node:crypto'
import {CliCommand} from '../cli/base-command.js'

export default class Keygen extends CliCommand {
  static override summary = 'Generates a new encryption key'
  static override description =
    'Prints 32 random bytes from the OS CSPRNG as standard base64, suitable for the agent\'s -encrypt option. Needs no agent.'

  static override examples = ['<%= config.bin %> keygen']

  async run(): Promise<void> {
    await this.parse(Keygen)
    this.out(randomBytes(32).toString('base64'))
  }
}
