/**
 * The far ends the Workers home talks to, in a process of their own: PostgreSQL, the Neon
 * WebSocket proxy and SQL-over-HTTP double, Redis behind the Upstash protocol, the QStash double.
 * Run from the load generator's process, their work shared its one thread with autocannon and
 * capped what was measured. Prints one JSON line with the addresses; stops all on SIGTERM.
 *   node --import tsx tests/bench/workers-far-end.ts <base port>
 */
import { migrateNeon } from '../../edge-api/src/db/migrate-neon'
import { startNeonHttpDouble } from '../../edge-api/test/support/neon-http-double'
import { startPostgres } from '../../edge-api/test/support/postgres-server'
import { startQStashDouble } from '../../edge-api/test/support/qstash-double'
import { startUpstashShim } from '../../edge-api/test/support/upstash-shim'
import { startWsProxy } from '../../edge-api/test/support/ws-proxy'

const base = Number(process.argv[2])
const pg = startPostgres(base)
const proxy = await startWsProxy(base + 1)
const upstash = await startUpstashShim({ redisPort: base + 2, httpPort: base + 3, token: 'bench-upstash' })
const qstash = await startQStashDouble({ port: base + 4, token: 'bench-qstash' })
const neonHttp = await startNeonHttpDouble({ port: base + 5, connectionString: pg.url, wsProxy: proxy.address })
await migrateNeon(pg.url, proxy.address)
console.log(JSON.stringify({ databaseUrl: pg.url, wsProxy: proxy.address, neonHttpEndpoint: neonHttp.endpoint, upstashUrl: upstash.url, upstashToken: upstash.token, qstashUrl: qstash.url }))

process.once('SIGTERM', async () => {
  await neonHttp.stop()
  await qstash.stop()
  await upstash.stop()
  await proxy.stop()
  pg.stop()
  process.exit(0)
})
