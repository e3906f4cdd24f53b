import {Flags} from '@oclif/core'
import {DcCommand, staleFlag} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {serviceLines} from '../../cli/format/catalog.js'
import {parseKeyValues} from '../../cli/input.js'

export default class CatalogServices extends DcCommand {
  static override summary = 'Lists all registered services in a datacenter'
  static override description = 'One service name per line, sorted; -tags adds each service\'s tags; -node lists the services of one node.'
  static override examples = [
    '<%= config.bin %> catalog services',
    '<%= config.bin %> catalog services -tags',
    '<%= config.bin %> catalog services -node=web-1',
    '<%= config.bin %> catalog services -node-meta=rack=r1',
  ]

  static override flags = {
    ...staleFlag,
    node: Flags.string({summary: 'Only services on this node (id or name).'}),
    'node-meta': Flags.string({summary: 'Only services on nodes with this key=value metadata (repeatable).', multiple: true, multipleNonGreedy: true}),
    tags: Flags.boolean({summary: 'Show each service\'s tags, comma-separated.'}),
    filter: Flags.string({summary: 'Filter expression evaluated by the server.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(CatalogServices)
    let nodeMeta
    try {
      nodeMeta = parseKeyValues(flags['node-meta'], 'node-meta')
    } catch (e) {
      throw new CliError((e as Error).message)
    }
    const q = {stale: flags.stale, nodeMeta, filter: flags.filter}
    let services: Record<string, string[]> = {}
    if (flags.node) {
      const {body} = await this.api.catalog.node(flags.node, q)
      for (const s of Object.values(body?.Services ?? {})) services[s.Service] = [...(services[s.Service] ?? []), ...(s.Tags ?? [])]
    } else {
      services = (await this.api.catalog.services(q)).body
    }
    if (Object.keys(services).length === 0 && !this.jsonOutput) {
      process.stderr.write('No services match the given query - try expanding your search.\n')
      return
    }
    this.emit(services, (s) => serviceLines(s, flags.tags))
  }
}
