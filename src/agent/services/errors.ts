/**
 * The one error type of service/check definitions: a bad definition, with the path of
 * the offending field (`Port`, `Check.Interval`, `Checks[1].HTTP`). The HTTP layer
 * answers 400 with the message; config loading reports it with the file name.
 */
export class DefinitionError extends Error {
  override readonly name = 'DefinitionError'
  constructor(
    message: string,
    readonly field: string = '',
  ) {
    super(message)
  }
}
