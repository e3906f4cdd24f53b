import {Args, Flags} from '@oclif/core'
import {DcCommand} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'

export default class KvDelete extends DcCommand {
  static override summary = 'Removes data from the KV store'
  static override description =
    'Deletes KEY, or with -recurse every key that starts with the prefix. Deleting a missing key is not an error.'

  static override examples = [
    '<%= config.bin %> kv delete config/redis/maxconns',
    '<%= config.bin %> kv delete -recurse config/',
    '<%= config.bin %> kv delete -cas -modify-index=844 config/redis/maxconns',
  ]

  static override args = {key: Args.string({description: 'Key, or prefix with -recurse'})}

  static override flags = {
    recurse: Flags.boolean({summary: 'Delete all keys with the path as prefix.'}),
    cas: Flags.boolean({summary: 'Delete only if the key still has -modify-index.'}),
    'modify-index': Flags.integer({summary: 'ModifyIndex the key must still have (with -cas).', min: 0, default: 0}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(KvDelete)
    const key = (args.key ?? '').replace(/^\//, '')
    const index = flags['modify-index']
    if (key === '' && !flags.recurse) throw new CliError('Missing KEY argument')
    if (flags.cas && index === 0) throw new CliError('Cannot delete a key that does not exist. Provide a -modify-index greater than than 0.')
    if (index !== 0 && !flags.cas) throw new CliError('Cannot specify -modify-index without -cas!')
    if (flags.recurse && flags.cas) throw new CliError('Cannot specify both -cas and -recurse!')

    if (flags.recurse) {
      await this.api.kv.deleteTree(key)
      return this.emit({Key: key, Recurse: true, Success: true}, () => this.successText(`Deleted keys with prefix: ${key}`))
    }
    if (flags.cas) {
      const {body: ok} = await this.api.kv.deleteCAS(key, index)
      if (!ok) throw new CliError(`Did not delete key ${key}: CAS failed`)
    } else {
      await this.api.kv.delete(key)
    }
    this.emit({Key: key, Recurse: false, Success: true}, () => this.successText(`Deleted key: ${key}`))
  }
}
