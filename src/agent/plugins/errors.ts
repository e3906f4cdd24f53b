/**
 * The one error type of the plugin layer: a plugin that cannot be loaded or registered, a
 * refused check type, a join entry that cannot be resolved. The message is one line that
 * names the plugin (or type, or provider) and says what to do.
 */
export class PluginError extends Error {
  override readonly name = 'PluginError'
}
