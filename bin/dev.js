#!/usr/bin/env node
// development: true makes @oclif/core register tsx and map dist/ -> src/.
// A present oclif.manifest.json points at dist/ and wins even in development,
// so drop it; `npm run build` regenerates it.
import {execute} from '@oclif/core'
import {rmSync} from 'node:fs'
import {loadOptions, normalizeArgv} from './argv.js'

rmSync(new URL('../oclif.manifest.json', import.meta.url), {force: true})
const args = normalizeArgv(process.argv.slice(2))
await execute({args, development: true, loadOptions: loadOptions(args, import.meta.url)})
