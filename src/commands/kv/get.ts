import {Args, Flags} from '@oclif/core'
import {DcCommand, staleFlag} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {kvDetailed, kvLine, kvValue} from '../../cli/format/kv.js'

export default class KvGet extends DcCommand {
  static override summary = 'Retrieves or lists data from the KV store'
  static override description =
    'Prints the value stored at KEY. With -recurse, every key under the prefix as key:value; with -keys, only key names. ' +
    'A missing key is an error (exit 1); an empty key prints an empty line.'

  static override examples = [
    '<%= config.bin %> kv get config/redis/maxconns',
    '<%= config.bin %> kv get -detailed config/redis/maxconns',
    '<%= config.bin %> kv get -recurse config/',
    '<%= config.bin %> kv get -keys -separator=/ config/',
  ]

  static override args = {key: Args.string({description: 'Key, or prefix with -recurse/-keys (default: the root)'})}

  static override flags = {
    ...staleFlag,
    recurse: Flags.boolean({summary: 'Recursively look at all keys prefixed with the given path.'}),
    keys: Flags.boolean({summary: 'List keys which start with the given prefix, not their values.'}),
    separator: Flags.string({summary: 'Roll keys up at this separator (only with -keys).', default: '/'}),
    detailed: Flags.boolean({summary: 'Show CreateIndex, Flags, LockIndex, ModifyIndex and Session as well.'}),
    base64: Flags.boolean({summary: 'Base64-encode the value.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(KvGet)
    const key = (args.key ?? '').replace(/^\//, '')
    if (key === '' && !flags.recurse && !flags.keys) throw new CliError('Missing KEY argument')
    const q = {stale: flags.stale}

    if (flags.keys) {
      const {body} = await this.api.kv.keys(key, flags.separator, q)
      return this.emit(body, (keys) => keys)
    }
    if (flags.recurse) {
      const {body} = await this.api.kv.list(key, q)
      return this.emit(body, (pairs) => {
        if (!flags.detailed) return pairs.map((p) => kvLine(p, flags.base64))
        // detailed blocks are separated by one empty line
        return pairs.flatMap((p, i) => (i === 0 ? [kvDetailed(p, flags.base64)] : ['', kvDetailed(p, flags.base64)]))
      })
    }
    const {body: pair} = await this.api.kv.get(key, q)
    if (!pair) throw new CliError(`No key exists at: ${key}`)
    this.emit(pair, (p) => (flags.detailed ? kvDetailed(p, flags.base64) : kvValue(p, flags.base64)))
  }
}
