import {describe} from 'vitest'
import {seedTests} from './seed-tests.js'

/** The other half of the seeded simulation's seeds (a second file so vitest runs both halves in parallel). */
describe('deterministic simulation (second half of the seeds)', () => {
  seedTests(1, 2)
})
