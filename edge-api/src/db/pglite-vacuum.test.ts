import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openPglite, type PgliteHandle } from './pglite'

const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url))

let handle: PgliteHandle
beforeAll(async () => {
  handle = await openPglite({ migrationsFolder: MIGRATIONS_DIR })
})
afterAll(() => handle.close())

it('vacuum lets updated rows reuse their space; without it, PGlite (no autovacuum) grows with every update', async () => {
  const c = handle.client
  await c.exec(`create table churn (id int primary key, v text); insert into churn select g, repeat('x', 200) from generate_series(1, 2000) g`)
  const size = async () => Number((await c.query<{ s: string }>(`select pg_relation_size('churn') as s`)).rows[0]!.s)
  // What every run does to its execution and job rows: rewrite them.
  const rewrite = async () => {
    for (let i = 0; i < 5; i++) await c.exec(`update churn set v = repeat('y', 200)`)
  }
  await rewrite()
  const once = await size()
  await rewrite()
  expect(await size()).toBeGreaterThan(once * 1.5)

  await handle.vacuum()
  const vacuumed = await size()
  for (let round = 0; round < 3; round++) {
    await handle.vacuum()
    await rewrite()
  }
  expect(await size()).toBe(vacuumed)
})
