import {Flags} from '@oclif/core'
import {DcCommand} from '../cli/base-command.js'
import {CliError} from '../cli/errors.js'

export default class Join extends DcCommand {
  static override summary = 'Tells the agent to join a cluster'
  static override description = 'Asks the running agent to join the cluster through one or more existing members (gossip addresses).'
  static override examples = ['<%= config.bin %> join 10.0.0.11', '<%= config.bin %> join -wan 10.1.0.11:8302']
  static override strict = false

  static override flags = {
    wan: Flags.boolean({summary: 'Join the WAN pool (servers only).'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Join)
    const addrs = argv as string[]
    if (addrs.length === 0) throw new CliError('At least one address to join must be specified.', {hint: "See 'dc join --help'."})
    let joined = 0
    for (const addr of addrs) {
      try {
        await this.api.agent.join(addr, flags.wan)
        joined++
      } catch (e) {
        process.stderr.write(`Error joining address '${addr}': ${(e as Error).message}\n`)
      }
    }
    if (joined === 0) throw new CliError('Failed to join any nodes.')
    this.emit({Joined: joined}, () => `Successfully joined cluster by contacting ${joined} nodes.`)
  }
}
