import {Resolver} from 'node:dns/promises'
import {isIP} from 'node:net'
import type {JoinProvider} from '../../plugin.js'

/**
 * `provider=dns name=_dc._tcp.example.internal [type=SRV|A] [server=10.0.0.2[:53]]`: the
 * addresses in a name's records. SRV answers give target:port each; A (and AAAA) give
 * addresses joined on the default gossip port. The type defaults to SRV for names starting
 * with an underscore and A otherwise. Without server= the system's resolvers are asked.
 */
export const dnsProvider: JoinProvider = {
  name: 'dns',
  help: 'provider=dns name=<name> [type=SRV|A] [server=<ip[:port]>]',
  async discover(args, _env, signal) {
    const name = args.name
    if (!name) throw new Error('provider=dns needs name=<DNS name>')
    const type = (args.type ?? (name.startsWith('_') ? 'SRV' : 'A')).toUpperCase()
    if (type !== 'SRV' && type !== 'A') throw new Error(`provider=dns: type=${args.type} is not supported (SRV or A)`)
    const resolver = new Resolver({timeout: 2000, tries: 2})
    if (args.server) resolver.setServers([serverAddress(args.server)])
    const cancel = () => resolver.cancel()
    signal.addEventListener('abort', cancel, {once: true})
    try {
      if (type === 'SRV') {
        const records = await resolver.resolveSrv(name)
        return records.map((r) => `${hostPort(r.name.replace(/\.$/, ''))}:${r.port}`)
      }
      const v4 = await resolver.resolve4(name).catch((e: NodeJS.ErrnoException) => (e.code === 'ENODATA' ? [] : Promise.reject(e)))
      const v6 = await resolver.resolve6(name).catch(() => [] as string[])
      if (v4.length + v6.length === 0) throw new Error(`no A or AAAA records for ${name}`)
      return [...v4, ...v6.map((a) => `[${a}]`)]
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      throw new Error(`${type} lookup of ${name}${args.server ? ` at ${args.server}` : ''} failed: ${code ?? (e as Error).message}`)
    } finally {
      signal.removeEventListener('abort', cancel)
    }
  },
}

/** "10.0.0.2", "10.0.0.2:5353", "[::1]:53" → what Resolver.setServers takes. */
function serverAddress(s: string): string {
  if (isIP(s) || /^\[[^\]]+\](:\d+)?$/.test(s) || /^[\d.]+:\d+$/.test(s)) return s
  throw new Error(`provider=dns: server=${s} is not an IP address (optionally with :port)`)
}

function hostPort(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host
}
