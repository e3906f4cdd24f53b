import {Args} from '@oclif/core'
import {DcCommand} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {parseImport} from '../../cli/format/kv.js'
import {readDataArg, readStdin} from '../../cli/input.js'

export default class KvImport extends DcCommand {
  static override summary = 'Imports a tree stored as JSON to the KV store'
  static override description = 'Writes every entry of a `kv export` document. DATA is the JSON itself, @file, or - for stdin.'
  static override examples = [
    '<%= config.bin %> kv import @vault.json',
    'cat vault.json | <%= config.bin %> kv import -',
  ]

  static override args = {data: Args.string({description: 'JSON, @file, or - for stdin'})}

  async run(): Promise<void> {
    const {args} = await this.parse(KvImport)
    if (args.data === undefined) throw new CliError('Missing DATA argument')
    if (args.data === '') throw new CliError('Empty DATA argument')
    let text: string
    let entries
    try {
      text = (await readDataArg(args.data, () => readStdin())).toString('utf8')
      entries = parseImport(text)
    } catch (e) {
      throw new CliError((e as Error).message)
    }
    const imported: string[] = []
    for (const e of entries) {
      try {
        await this.api.kv.put(e.key, Buffer.from(e.value, 'base64'), {flags: e.flags})
      } catch (err) {
        throw new CliError(`Failed writing data for key ${e.key}: ${(err as Error).message}`, {hint: (err as {hint?: string}).hint})
      }
      imported.push(e.key)
      if (!this.jsonOutput) this.out(`Imported: ${e.key}`)
    }
    if (this.jsonOutput) this.emit({Imported: imported}, () => undefined)
  }
}
