import {Args} from '@oclif/core'
import {DcCommand, staleFlag} from '../../cli/base-command.js'
import {exportJson, toExportEntry} from '../../cli/format/kv.js'

export default class KvExport extends DcCommand {
  static override summary = 'Exports a tree from the KV store as JSON'
  static override description =
    'Prints every key under PREFIX as a JSON array of {"key", "flags", "value" (base64)}, the format `kv import` reads.'

  static override examples = ['<%= config.bin %> kv export vault/ > vault.json']

  static override args = {prefix: Args.string({description: 'Prefix to export (default: everything)'})}
  static override flags = {...staleFlag}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(KvExport)
    const prefix = (args.prefix ?? '').replace(/^\//, '')
    const {body} = await this.api.kv.list(prefix, {stale: flags.stale})
    // Always JSON; -format=json changes nothing here.
    this.out(exportJson(body.map(toExportEntry)))
  }
}
