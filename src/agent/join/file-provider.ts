import {readFile} from 'node:fs/promises'
import type {JoinProvider} from '../../plugin.js'

/**
 * `provider=file path=/etc/dc/peers.txt`: one address per line ("ip", "ip:port", "host:port");
 * blank lines and lines starting with # are skipped. The file is read on every join attempt,
 * so a deploy tool can rewrite it while the agent waits.
 */
export const fileProvider: JoinProvider = {
  name: 'file',
  help: 'provider=file path=<file with one address per line>',
  async discover(args, _env, signal) {
    if (!args.path) throw new Error('provider=file needs path=<file with one address per line>')
    let text: string
    try {
      text = await readFile(args.path, {encoding: 'utf8', signal})
    } catch (e) {
      throw new Error(`cannot read ${args.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
    }
    return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
  },
}
