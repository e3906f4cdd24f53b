/** The DNS interface's public surface, for the agent's composition root. */
export {startDnsServer, type DnsServer, type DnsServerOptions} from './server.js'
export {defaultDnsConfig, parseDnsConfig, DnsConfigError, type DnsConfig, type RawDnsConfig} from './config.js'
export type {DnsCatalog} from './catalog-port.js'
export {createSocketRecursorTransport, type RecursorTransport} from './recursor.js'
export {createDnsHandler, type DnsHandler, type HandleResult} from './handler.js'
