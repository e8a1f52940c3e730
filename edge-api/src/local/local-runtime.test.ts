import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApp } from '../app'
import { parseLocalEnv } from '../config/local-config'
import { createAgent, STRONG_PASSWORD } from '../../test/support/test-app'
import { createLocalRuntime } from './local-deps'
import { startLocalBackground } from './local-background'

let dataDir: string
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), '2bot-local-'))
})
afterAll(() => rm(dataDir, { recursive: true, force: true }))

it('keeps data in the data folder across a restart, with mails in the outbox', async () => {
  const config = parseLocalEnv({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'error' })
  const first = await createLocalRuntime(config)
  const agent = createAgent(createApp(first.deps))
  const registered = await agent.api.auth.register.$post({ json: { email: 'keep@example.com', password: STRONG_PASSWORD } })
  expect(registered.status).toBe(201)
  await first.close()
  expect((await readdir(join(dataDir, 'outbox'))).length).toBe(1)

  const second = await createLocalRuntime(config)
  const again = createAgent(createApp(second.deps))
  const login = await again.api.auth.login.$post({ json: { email: 'keep@example.com', password: STRONG_PASSWORD } })
  expect(login.status).toBe(200)
  const outbox = await again.raw('/api/dev/outbox')
  expect(outbox.status).toBe(200)
  await second.close()
})

it('refuses a bad environment with the variable named', () => {
  expect(() => parseLocalEnv({ PORT: 'eighty' })).toThrow(/PORT/)
  expect(() => parseLocalEnv({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/)
  expect(() => parseLocalEnv({ ENCRYPTION_KEY: 'short' })).toThrow(/ENCRYPTION_KEY/)
})

it('vacuums the embedded database in the background, now and then (PGlite has no autovacuum)', async () => {
  const runtime = await createLocalRuntime(parseLocalEnv({ DATA_DIR: join(dataDir, 'vacuum'), PORT: '0', LOG_LEVEL: 'error' }))
  expect(runtime.maintainDatabase).toBeDefined()
  const lastVacuum = async () => {
    const result = await runtime.deps.db.execute(sql`select last_vacuum from pg_stat_user_tables where relname = 'executions'`)
    return (((result as { rows?: unknown[] }).rows ?? result) as { last_vacuum: unknown }[])[0]!.last_vacuum
  }
  expect(await lastVacuum()).toBeNull()
  const background = startLocalBackground(runtime.deps, 20, {}, { run: runtime.maintainDatabase!, everyMs: 50 })
  try {
    await expect.poll(lastVacuum, { timeout: 5000 }).not.toBeNull()
  } finally {
    await background.stop()
    await runtime.close()
  }
})
