import {Args, Flags} from '@oclif/core'
import {DcCommand} from '../cli/base-command.js'
import {CliError} from '../cli/errors.js'
import {lanPair, rttLine, rttMs, wanPair, type RttResult} from '../cli/format/rtt.js'
import type {Coord} from '../api/client.js'

export default class Rtt extends DcCommand {
  static override summary = 'Estimates network round trip time between nodes'
  static override description =
    "Estimates the round trip time between two nodes from Consul's network coordinate model. node2 defaults to " +
    "the agent's own node. LAN coordinates by default; with -wan, WAN coordinates of servers named <node>.<datacenter>. " +
    'LAN and WAN coordinates come from separate gossip pools and cannot be compared with each other.'

  static override examples = [
    '<%= config.bin %> rtt node1',
    '<%= config.bin %> rtt node1 node2',
    '<%= config.bin %> rtt -wan server1.dc1 server2.dc2',
    '<%= config.bin %> rtt -format=json node1 node2',
  ]

  static override args = {
    node1: Args.string({description: 'A node name as `dc members` shows it.'}),
    node2: Args.string({description: "Second node (default: the agent's node)."}),
  }

  static override flags = {
    wan: Flags.boolean({summary: 'Use WAN coordinates instead of LAN coordinates.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Rtt)
    if (!args.node1) throw new CliError('One or two node names must be specified', {hint: 'dc rtt [-wan] node1 [node2]'})
    const nodes: [string, string] = [args.node1, args.node2 ?? (await this.agentNode(flags.wan))]
    const [c1, c2] = flags.wan ? await this.wanCoordinates(nodes) : await this.lanCoordinates(nodes)
    if (!c1) throw new CliError(`Could not find a coordinate for node ${JSON.stringify(nodes[0])}`)
    if (!c2) throw new CliError(`Could not find a coordinate for node ${JSON.stringify(nodes[1])}`)
    const ms = rttMs(c1, c2)
    if (ms === undefined) throw new CliError(`The coordinates of ${nodes[0]} and ${nodes[1]} have different dimensions and cannot be compared`)
    const result: RttResult = {Node1: nodes[0], Node2: nodes[1], Coordinates: flags.wan ? 'WAN' : 'LAN', RTTMs: ms}
    this.emit(result, rttLine)
  }

  /** The agent's node name (`name.dc` for -wan), as consul rtt defaults node2. */
  private async agentNode(wan: boolean): Promise<string> {
    const {body} = await this.api.agent.self()
    return wan ? `${body.Config.NodeName}.${body.Config.Datacenter}` : body.Config.NodeName
  }

  private async lanCoordinates([n1, n2]: [string, string]): Promise<[Coord | undefined, Coord | undefined]> {
    const {body} = await this.api.coordinate.nodes()
    return lanPair(body, n1, n2)
  }

  private async wanCoordinates([n1, n2]: [string, string]): Promise<[Coord | undefined, Coord | undefined]> {
    const parse = (s: string) => {
      const parts = s.split('.')
      return parts.length === 2 ? {node: parts[0]!, dc: parts[1]!} : undefined
    }
    const a = parse(n1)
    const b = parse(n2)
    if (!a || !b) throw new CliError('Node names must be specified as <node name>.<datacenter> with -wan')
    const {body} = await this.api.coordinate.datacenters()
    return wanPair(body, a, b)
  }
}
