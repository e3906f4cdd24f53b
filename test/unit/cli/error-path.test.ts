import {Errors} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {ApiError} from '../../../src/api/client.js'
import {describeError} from '../../../src/cli/base-command.js'
import {CliError} from '../../../src/cli/errors.js'

describe('error path', () => {
  it('CLI errors keep their exit code and hint', () => {
    expect(describeError(new CliError('No key exists at: a'))).toEqual({message: 'No key exists at: a', hint: undefined, code: 1})
    expect(describeError(new CliError('x', {exitCode: 2, hint: 'try y'}))).toEqual({message: 'x', hint: 'try y', code: 2})
  })

  it('API errors exit 1 with their hint', () => {
    expect(describeError(new ApiError(0, 'Get "u": refused', 'Is the agent running?'))).toEqual({message: 'Get "u": refused', hint: 'Is the agent running?', code: 1})
  })

  it('oclif parse errors become one Error! line plus a hint, exit 1 as in Consul', () => {
    const e = new Errors.CLIError('Nonexistent flag: -x\nSee more help with --help', {exit: 2})
    expect(describeError(e)).toEqual({message: 'Nonexistent flag: -x', hint: 'See more help with --help', code: 1})
  })

  it('anything else prints its message', () => {
    expect(describeError(new TypeError('Invalid HTTP address: ::'))).toEqual({message: 'Invalid HTTP address: ::', code: 1})
  })
})
