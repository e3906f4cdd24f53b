import {describe} from 'vitest'
import {serverSeedTests} from './seed-tests.js'

/** The other half of the whole-server simulation's seeds (a second file so vitest runs both halves in parallel). */
describe('whole-server simulation (second half of the seeds)', () => {
  serverSeedTests(1, 2)
})
