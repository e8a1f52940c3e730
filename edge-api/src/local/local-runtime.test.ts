import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApp } from '../app'
import { parseLocalEnv } from '../config/local-config'
import { createAgent, STRONG_PASSWORD } from '../../test/support/test-app'
import { createLocalRuntime } from './local-deps'

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
