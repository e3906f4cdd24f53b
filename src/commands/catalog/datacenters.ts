import {DcCommand} from '../../cli/base-command.js'

export default class CatalogDatacenters extends DcCommand {
  static override summary = 'Lists all known datacenters'
  static override description = 'One datacenter per line, nearest first (by estimated round-trip time from this datacenter\'s servers).'
  static override examples = ['<%= config.bin %> catalog datacenters']

  async run(): Promise<void> {
    await this.parse(CatalogDatacenters)
    const {body} = await this.api.catalog.datacenters()
    this.emit(body, (dcs) => dcs)
  }
}
