#!/usr/bin/env node
import {execute} from '@oclif/core'
import {normalizeArgv} from './argv.js'

await execute({args: normalizeArgv(process.argv.slice(2)), dir: import.meta.url})
