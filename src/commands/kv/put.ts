import {Args, Flags} from '@oclif/core'
import {DcCommand} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {readDataArg, readStdin} from '../../cli/input.js'

export default class KvPut extends DcCommand {
  static override summary = 'Sets or updates data in the KV store'
  static override description =
    'Writes DATA to KEY. DATA may be a literal, @file to read a file, or - to read stdin; omitted, the key is created empty. ' +
    'Use -cas -modify-index=N for check-and-set, -acquire/-release -session=ID for locks.'

  static override examples = [
    '<%= config.bin %> kv put config/redis/maxconns 5',
    '<%= config.bin %> kv put config/program/license @license.lic',
    'echo "abcd1234" | <%= config.bin %> kv put config/program/license -',
    '<%= config.bin %> kv put -cas -modify-index=844 config/redis/maxconns 5',
    '<%= config.bin %> kv put -acquire -session=<id> service/leader node1',
  ]

  static override args = {
    key: Args.string({description: 'Key to write'}),
    data: Args.string({description: 'Value: literal, @file, or - for stdin'}),
  }

  static override flags = {
    cas: Flags.boolean({summary: 'Perform a Check-And-Set operation (needs -modify-index).'}),
    'modify-index': Flags.integer({summary: 'ModifyIndex the key must still have (with -cas).', min: 0, default: 0}),
    flags: Flags.integer({summary: 'Unsigned integer stored with the key.', min: 0, default: 0}),
    base64: Flags.boolean({summary: 'Treat DATA as base64-encoded.'}),
    session: Flags.string({summary: 'Session ID (with -acquire / -release).', default: ''}),
    acquire: Flags.boolean({summary: 'Obtain a lock on the key (needs -session).'}),
    release: Flags.boolean({summary: 'Forfeit the lock on the key (needs -session).'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(KvPut)
    if (args.key === undefined) throw new CliError('Missing KEY argument')
    const key = args.key
    let value = args.data === undefined || args.data === '' ? Buffer.alloc(0) : await readDataArg(args.data, () => readStdin())
    if (flags.base64) {
      const text = value.toString('utf8').trim()
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new CliError('Cannot base 64 decode data: illegal base64 data')
      value = Buffer.from(text, 'base64')
    }
    if ((flags.acquire || flags.release) && flags.session === '') throw new CliError('Missing -session (required with -acquire and -release)')
    if (flags.cas && flags['modify-index'] === 0) throw new CliError('Must specify -modify-index with -cas!')

    const w = {flags: flags.flags}
    const kv = this.api.kv
    if (flags.cas) {
      const {body: ok} = await kv.cas(key, value, flags['modify-index'], w)
      if (!ok) throw new CliError(`Did not write to ${key}: CAS failed`)
      return this.done(key, 'cas', `Data written to: ${key}`)
    }
    if (flags.acquire) {
      const {body: ok} = await kv.acquire(key, value, flags.session, w)
      if (!ok) throw new CliError('Did not acquire lock')
      return this.done(key, 'acquire', `Lock acquired on: ${key}`)
    }
    if (flags.release) {
      const {body: ok} = await kv.release(key, value, flags.session, w)
      if (!ok) throw new CliError('Did not release lock')
      return this.done(key, 'release', `Lock released on: ${key}`)
    }
    await kv.put(key, value, w)
    this.done(key, 'put', `Data written to: ${key}`)
  }

  private done(key: string, op: string, message: string): void {
    this.emit({Key: key, Operation: op, Success: true}, () => this.successText(message))
  }
}
