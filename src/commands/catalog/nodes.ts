import {Flags} from '@oclif/core'
import {DcCommand, staleFlag} from '../../cli/base-command.js'
import {CliError} from '../../cli/errors.js'
import {nodeRows, nodesOfService} from '../../cli/format/catalog.js'
import {parseKeyValues, readDataArg, readStdin} from '../../cli/input.js'
import {columnize} from '../../cli/render.js'

export default class CatalogNodes extends DcCommand {
  static override summary = 'Lists all nodes in the given datacenter'
  static override description = 'Columns Node, ID (first group), Address, DC; -detailed adds the full ID, TaggedAddresses and Meta.'
  static override examples = [
    '<%= config.bin %> catalog nodes',
    '<%= config.bin %> catalog nodes -detailed',
    '<%= config.bin %> catalog nodes -service=web',
    '<%= config.bin %> catalog nodes -node-meta=rack=r1',
    '<%= config.bin %> catalog nodes -filter=\'Meta.env == "prod"\'',
  ]

  static override flags = {
    ...staleFlag,
    detailed: Flags.boolean({summary: 'Show full IDs, tagged addresses and metadata.'}),
    service: Flags.string({summary: 'Only nodes providing this service (id or name).'}),
    'node-meta': Flags.string({summary: 'Only nodes with this key=value metadata (repeatable).', multiple: true, multipleNonGreedy: true}),
    near: Flags.string({summary: 'Sort by estimated round-trip time from this node ("_agent" = this agent).'}),
    filter: Flags.string({summary: 'Filter expression (or @file, or - for stdin).'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(CatalogNodes)
    let nodeMeta
    let filter = flags.filter
    try {
      nodeMeta = parseKeyValues(flags['node-meta'], 'node-meta')
      if (filter && (filter.startsWith('@') || filter === '-')) filter = (await readDataArg(filter, () => readStdin())).toString('utf8')
    } catch (e) {
      throw new CliError((e as Error).message)
    }
    const q = {stale: flags.stale, near: flags.near, nodeMeta, filter}
    const nodes = flags.service
      ? nodesOfService((await this.api.catalog.service(flags.service, [], q)).body)
      : (await this.api.catalog.nodes(q)).body
    if (nodes.length === 0 && !this.jsonOutput) {
      process.stderr.write('No nodes match the given query - try expanding your search.\n')
      return
    }
    this.emit(nodes, (ns) => columnize(nodeRows(ns, flags.detailed), (t, _c, row) => (row === 0 ? this.style.bold(t) : t)))
  }
}
