import type { TestProject } from 'vitest/node'
import { migrateNeon } from '../../src/db/migrate-neon'
import { startPostgres } from '../support/postgres-server'
import { startQStashDouble } from '../support/qstash-double'
import { startNeonHttpDouble } from '../support/neon-http-double'
import { startUpstashShim } from '../support/upstash-shim'
import { startWsProxy } from '../support/ws-proxy'

/** Starts PostgreSQL, the Neon WebSocket proxy and SQL-over-HTTP endpoint, Redis behind the Upstash protocol and a QStash double. */
export default async function setup(project: TestProject) {
  const base = 20000 + (process.pid % 2000) * 5
  const pg = startPostgres(base)
  const proxy = await startWsProxy(base + 1)
  const upstash = await startUpstashShim({ redisPort: base + 2, httpPort: base + 3, token: 'upstash-test-token' })
  const qstash = await startQStashDouble({ port: base + 4, token: 'qstash-test-token' })
  try {
    // Migrations go through the Neon driver and the proxy too: the same path `pnpm db:migrate:neon` takes.
    await migrateNeon(pg.url, proxy.address)
  } catch (err) {
    pg.stop()
    throw err
  }
  const neonHttp = await startNeonHttpDouble({ port: 0, connectionString: pg.url, wsProxy: proxy.address })
  project.provide('databaseUrl', pg.url)
  project.provide('neonHttpEndpoint', neonHttp.endpoint)
  project.provide('wsProxy', proxy.address)
  project.provide('upstashUrl', upstash.url)
  project.provide('upstashToken', upstash.token)
  project.provide('qstashUrl', qstash.url)
  project.provide('qstashToken', 'qstash-test-token')
  return async () => {
    await qstash.stop()
    await neonHttp.stop()
    await upstash.stop()
    await proxy.stop()
    pg.stop()
  }
}
