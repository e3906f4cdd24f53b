import {Command, Flags} from '@oclif/core'

/**
 * `dc agent`: the only command that starts a runtime. Flags mirror Consul's; each
 * one maps onto the Consul config key it overrides. Heavy imports happen in run()
 * so other commands start fast.
 */
export default class Agent extends Command {
  static override description = 'Runs a dc agent (server or client mode)'
  static override examples = [
    '<%= config.bin %> agent -dev',
    '<%= config.bin %> agent -server -bootstrap -data-dir=/var/lib/dc',
    '<%= config.bin %> agent -server -bootstrap-expect=3 -data-dir=/var/lib/dc -retry-join=10.0.0.2',
  ]

  static override flags = {
    dev: Flags.boolean({description: 'Development mode: in-memory server, bootstrapped (UI not implemented yet)'}),
    server: Flags.boolean({description: 'Run in server mode'}),
    bootstrap: Flags.boolean({description: 'Allow this server to elect itself leader (one per datacenter)'}),
    'bootstrap-expect': Flags.integer({description: 'Number of servers to wait for before bootstrapping'}),
    'data-dir': Flags.string({description: 'Path to the data directory (Raft log and snapshots in SQLite)'}),
    node: Flags.string({description: 'Node name (default: hostname)'}),
    'node-id': Flags.string({description: 'Node UUID (default: generated and persisted)'}),
    'node-meta': Flags.string({description: 'Node metadata key:value (repeatable)', multiple: true}),
    datacenter: Flags.string({description: 'Datacenter name (default dc1)'}),
    client: Flags.string({description: 'Address the HTTP and DNS interfaces bind to (default 127.0.0.1)'}),
    bind: Flags.string({description: 'Address for cluster communication'}),
    advertise: Flags.string({description: 'Address advertised to other nodes'}),
    'advertise-wan': Flags.string({description: 'Address advertised on the WAN'}),
    'http-port': Flags.integer({description: 'HTTP API port (0 = ephemeral, -1 = off)'}),
    'https-port': Flags.integer({description: 'HTTPS port (-1 = off)'}),
    'dns-port': Flags.integer({description: 'DNS port (0 = ephemeral, -1 = off)'}),
    'grpc-port': Flags.integer({description: 'gRPC port (-1 = off)'}),
    'grpc-tls-port': Flags.integer({description: 'gRPC TLS port (-1 = off)'}),
    'serf-lan-port': Flags.integer({description: 'LAN gossip port'}),
    'serf-wan-port': Flags.integer({description: 'WAN gossip port'}),
    'server-port': Flags.integer({description: 'Server RPC port'}),
    'config-file': Flags.string({description: 'JSON config file (repeatable)', multiple: true}),
    'config-dir': Flags.string({description: 'Directory of *.json config files, loaded in lexical order (repeatable)', multiple: true}),
    'config-format': Flags.string({description: 'Config format of files without extension (json)'}),
    hcl: Flags.string({description: 'HCL config fragment (not supported yet)', multiple: true}),
    'log-level': Flags.string({description: 'trace, debug, info, warn or error'}),
    'log-json': Flags.boolean({description: 'Log as JSON'}),
    'log-file': Flags.string({description: 'Log file path (not implemented yet)'}),
    'pid-file': Flags.string({description: 'Write the agent PID to this file'}),
    join: Flags.string({description: 'Address to join at start (repeatable, deprecated: use -retry-join)', multiple: true}),
    'retry-join': Flags.string({description: 'Address to join, retried until it succeeds (repeatable)', multiple: true}),
    'retry-interval': Flags.string({description: 'Time between join attempts (default 30s)'}),
    'retry-max': Flags.integer({description: 'Maximum join attempts (0 = forever)'}),
    'retry-interval-wan': Flags.string({description: 'Time between WAN join attempts (default 30s)'}),
    'retry-max-wan': Flags.integer({description: 'Maximum WAN join attempts (0 = forever)'}),
    'join-wan': Flags.string({description: 'WAN address to join (repeatable)', multiple: true}),
    'retry-join-wan': Flags.string({description: 'WAN address to join, retried (repeatable)', multiple: true}),
    encrypt: Flags.string({description: 'Gossip encryption key (dc keygen)'}),
    ui: Flags.boolean({description: 'Serve the web UI'}),
    'ui-dir': Flags.string({description: 'Serve the UI from this directory'}),
    'ui-content-path': Flags.string({description: 'UI path prefix (default /ui/)'}),
    domain: Flags.string({description: 'DNS domain (default consul.)'}),
    'alt-domain': Flags.string({description: 'Alternate DNS domain'}),
    recursor: Flags.string({description: 'Upstream DNS server (repeatable)', multiple: true}),
    'enable-script-checks': Flags.boolean({description: 'Allow script checks from any source'}),
    'enable-local-script-checks': Flags.boolean({description: 'Allow script checks from local config files only'}),
    'default-query-time': Flags.string({description: 'Default blocking query wait (300s)'}),
    'max-query-time': Flags.string({description: 'Maximum blocking query wait (600s)'}),
    rejoin: Flags.boolean({description: 'Ignore a previous leave and rejoin'}),
    'raft-protocol': Flags.integer({description: 'Raft protocol version (3)'}),
    protocol: Flags.integer({description: 'Gossip protocol version'}),
    'disable-host-node-id': Flags.boolean({description: 'Do not derive the node ID from the host'}),
    syslog: Flags.boolean({description: 'Log to syslog (not implemented)'}),
    'serf-lan-bind': Flags.string({description: 'LAN gossip bind address'}),
    'serf-wan-bind': Flags.string({description: 'WAN gossip bind address'}),
    'serf-lan-allowed-cidrs': Flags.string({description: 'Networks allowed to reach the LAN pool (repeatable)', multiple: true}),
    'serf-wan-allowed-cidrs': Flags.string({description: 'Networks allowed to reach the WAN pool (repeatable)', multiple: true}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Agent)
    const {runAgentCommand} = await import('../agent/cli.js')
    const code = await runAgentCommand(flags)
    if (code !== 0) this.exit(code)
  }
}
