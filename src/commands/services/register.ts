import {Flags} from '@oclif/core'
import type {AgentServiceRegistration, ServiceAddress} from '../../api/client.js'
import {DcCommand} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {parseKeyValues} from '../../cli/input.js'
import {combineWithFlags, servicesFromFiles} from '../../cli/service-file.js'

export default class ServicesRegister extends DcCommand {
  static override summary = 'Registers services with the local agent'
  static override description =
    'Registers the services defined in JSON files ({"service": {...}} or {"services": [...]}, as in agent config), ' +
    'or one service described by flags. Flags fill fields a file leaves unset.'

  static override examples = [
    '<%= config.bin %> services register web.json',
    '<%= config.bin %> services register -name=web -port=8080 -tag=v1 -tag=primary -meta=team=edge',
  ]

  static override strict = false

  static override flags = {
    name: Flags.string({summary: 'Service name (flag-based registration).'}),
    id: Flags.string({summary: 'Service ID (default: the name).'}),
    address: Flags.string({summary: 'Service address.'}),
    port: Flags.integer({summary: 'Service port.', min: 0, max: 65535}),
    tag: Flags.string({summary: 'Tag to add (repeatable).', multiple: true, multipleNonGreedy: true}),
    meta: Flags.string({summary: 'Metadata key=value (repeatable).', multiple: true, multipleNonGreedy: true}),
    'tagged-address': Flags.string({summary: 'Tagged address name=addr:port (repeatable).', multiple: true, multipleNonGreedy: true}),
    kind: Flags.string({summary: 'Service kind.'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(ServicesRegister)
    const files = argv as string[]
    if (files.length === 0 && !flags.name) throw new CliError('Service registration requires at least one argument or flags.')
    if (files.length > 0 && flags.name) throw new CliError('Service registration requires arguments or -id, not both.')

    let fromFlags: AgentServiceRegistration
    let services: AgentServiceRegistration[]
    try {
      fromFlags = {
        Name: flags.name ?? '',
        ...(flags.id ? {ID: flags.id} : {}),
        ...(flags.address ? {Address: flags.address} : {}),
        ...(flags.port !== undefined ? {Port: flags.port} : {}),
        ...(flags.kind ? {Kind: flags.kind} : {}),
        ...(flags.tag?.length ? {Tags: flags.tag} : {}),
        ...(flags.meta?.length ? {Meta: parseKeyValues(flags.meta, 'meta')} : {}),
        ...(flags['tagged-address']?.length ? {TaggedAddresses: taggedAddresses(flags['tagged-address'])} : {}),
      }
      services = files.length ? servicesFromFiles(files).map((s) => combineWithFlags(s, fromFlags)) : [fromFlags]
    } catch (e) {
      throw new CliError((e as Error).message)
    }

    const registered: string[] = []
    for (const svc of services) {
      try {
        await this.api.agent.serviceRegister(svc)
      } catch (e) {
        throw new CliError(`Error registering service ${JSON.stringify(svc.Name)}: ${(e as Error).message}`, {hint: (e as {hint?: string}).hint})
      }
      registered.push(svc.Name)
      if (!this.jsonOutput) this.out(`Registered service: ${svc.Name}`)
    }
    if (this.jsonOutput) this.emit({Registered: registered}, () => undefined)
  }
}

function taggedAddresses(items: string[]): Record<string, ServiceAddress> {
  const out: Record<string, ServiceAddress> = {}
  for (const [name, value] of Object.entries(parseKeyValues(items, 'tagged-address') ?? {})) {
    const m = /^(.*):(\d+)$/.exec(value)
    if (!m) throw new Error(`Invalid Tagged Address: ${value} (expected address:port)`)
    out[name] = {Address: m[1].replace(/^\[(.*)\]$/, '$1'), Port: Number(m[2])}
  }
  return out
}
