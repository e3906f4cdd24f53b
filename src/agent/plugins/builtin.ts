import {PLUGIN_API_VERSION, type AgentPlugin} from '../../plugin.js'
import {BUILTIN_CHECK_TYPES} from '../checks/builtin-types.js'
import {dnsProvider} from '../join/dns-provider.js'
import {fileProvider} from '../join/file-provider.js'

/** dc's own check types and join providers, registered through the same API as any plugin's. */
export const builtinPlugin: AgentPlugin = {
  apiVersion: PLUGIN_API_VERSION,
  register(api) {
    for (const t of BUILTIN_CHECK_TYPES) api.checkType(t)
    api.joinProvider(fileProvider)
    api.joinProvider(dnsProvider)
  },
}

export const BUILTIN_PLUGIN_NAME = 'builtin'
