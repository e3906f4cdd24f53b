import type {PluginEnv} from '../../plugin.js'
import {PluginError} from '../plugins/errors.js'
import {oneLine, type PluginRegistry} from '../plugins/registry.js'
import {parseProviderEntry} from './entry.js'

/** A provider that has not answered by then is abandoned (its signal aborted) for this attempt. */
export const DISCOVER_TIMEOUT_MS = 10_000

/**
 * The addresses a `provider=…` retry_join entry stands for right now, through the provider the
 * registry holds under that name. Whatever goes wrong — unknown provider, missing key, a
 * throw, a hang, a result that is not a list of strings — is one PluginError naming the
 * entry's provider; the join loop logs it and tries the entry again on its next attempt.
 */
export async function discoverJoinTargets(
  entry: string,
  registry: Pick<PluginRegistry, 'joinProvider' | 'joinProviderNames'>,
  /** The environment of the plugin that registered the provider. */
  envFor: (plugin: string) => PluginEnv,
  timeoutMs = DISCOVER_TIMEOUT_MS,
): Promise<string[]> {
  const {provider: name, args} = parseProviderEntry(entry)
  const found = registry.joinProvider(name)
  if (!found) throw new PluginError(`unknown join provider ${JSON.stringify(name)}; known: ${registry.joinProviderNames().join(', ')} (others come from plugins, see docs/plugins.md)`)
  const env = envFor(found.plugin)
  const ac = new AbortController()
  let timer: {cancel(): void} | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = env.after(timeoutMs, () => {
      ac.abort()
      reject(new PluginError(`join provider ${JSON.stringify(name)} did not answer within ${timeoutMs / 1000}s`))
    })
  })
  let out: unknown
  try {
    // async wrapper: a provider that throws synchronously is handled like one that rejects.
    out = await Promise.race([(async () => found.provider.discover(Object.freeze({...args}), env, ac.signal))(), deadline])
  } catch (e) {
    if (e instanceof PluginError) throw e
    throw new PluginError(`join provider ${JSON.stringify(name)}: ${oneLine(e)}`)
  } finally {
    timer?.cancel()
  }
  if (!Array.isArray(out) || !out.every((a) => typeof a === 'string' && a.trim() !== '')) {
    throw new PluginError(`join provider ${JSON.stringify(name)} returned ${oneLine(out).slice(0, 80)}, not a list of addresses; skipped`)
  }
  return out.map((a: string) => a.trim())
}
