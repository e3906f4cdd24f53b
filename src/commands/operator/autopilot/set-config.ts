import {Flags} from '@oclif/core'
import {DcCommand} from '../../../cli/base-command.js'
import {CliError} from '../../../cli/errors.js'
import {DurationError, parseDuration} from '../../../agent/config/duration.js'
import {goDuration} from '../../../agent/raft/node.js'

const boolFlag = (summary: string) => Flags.string({summary, options: ['true', 'false']})

export default class OperatorAutopilotSetConfig extends DcCommand {
  static override summary = 'Modify the current Autopilot configuration'
  static override description = 'Reads the configuration, changes the flags given, and writes it back with a check-and-set on its ModifyIndex.'
  static override examples = ['<%= config.bin %> operator autopilot set-config -cleanup-dead-servers=false -max-trailing-logs=500']
  static override flags = {
    'cleanup-dead-servers': boolFlag('Controls whether Consul will automatically remove dead servers when new ones are successfully added. Must be one of `true|false`.'),
    'max-trailing-logs': Flags.integer({min: 0, summary: 'Controls the maximum number of log entries that a server can trail the leader by before being considered unhealthy.'}),
    'min-quorum': Flags.integer({min: 0, summary: 'Sets the minimum number of servers required in a cluster before autopilot is allowed to prune dead servers.'}),
    'last-contact-threshold': Flags.string({summary: 'Controls the maximum amount of time a server can go without contact from the leader before being considered unhealthy. Must be a duration value such as `200ms`.'}),
    'server-stabilization-time': Flags.string({summary: 'Controls the minimum amount of time a server must be stable in the \'healthy\' state before being added to the cluster. Must be a duration value such as `10s`.'}),
    'redundancy-zone-tag': Flags.string({summary: '(Enterprise-only) Controls the node_meta tag name used for separating servers into different redundancy zones.'}),
    'disable-upgrade-migration': boolFlag('(Enterprise-only) Controls whether Consul will avoid promoting new servers until it can perform a migration. Must be one of `true|false`.'),
    'upgrade-version-tag': Flags.string({summary: '(Enterprise-only) The node_meta tag to use for version info when performing upgrade migrations. If left blank, the Consul version will be used.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(OperatorAutopilotSetConfig)
    const duration = (name: string, v: string | undefined): string | undefined => {
      if (v === undefined) return undefined
      try {
        return goDuration(parseDuration(v))
      } catch (e) {
        if (e instanceof DurationError) throw new CliError(`invalid value "${v}" for flag -${name}: parse error`)
        throw e
      }
    }
    const lastContact = duration('last-contact-threshold', flags['last-contact-threshold'])
    const stabilization = duration('server-stabilization-time', flags['server-stabilization-time'])
    const {body: conf} = await this.api.operator.autopilotGetConfiguration()
    if (flags['cleanup-dead-servers'] !== undefined) conf.CleanupDeadServers = flags['cleanup-dead-servers'] === 'true'
    if (flags['disable-upgrade-migration'] !== undefined) conf.DisableUpgradeMigration = flags['disable-upgrade-migration'] === 'true'
    if (flags['redundancy-zone-tag'] !== undefined) conf.RedundancyZoneTag = flags['redundancy-zone-tag']
    if (flags['upgrade-version-tag'] !== undefined) conf.UpgradeVersionTag = flags['upgrade-version-tag']
    if (flags['max-trailing-logs'] !== undefined) conf.MaxTrailingLogs = flags['max-trailing-logs']
    if (flags['min-quorum'] !== undefined) conf.MinQuorum = flags['min-quorum']
    if (lastContact !== undefined) conf.LastContactThreshold = lastContact
    if (stabilization !== undefined) conf.ServerStabilizationTime = stabilization
    const {body: updated} = await this.api.operator.autopilotCASConfiguration(conf)
    if (!updated) {
      // Consul prints this on stdout and exits 1.
      this.emit({Updated: false}, () => 'Configuration could not be atomically updated, please try again')
      this.exitWith(1)
    }
    this.emit({Updated: true}, () => 'Configuration updated!')
  }
}
