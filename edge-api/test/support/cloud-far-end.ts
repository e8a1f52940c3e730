import { migrateNeon } from '../../src/db/migrate-neon'
import { startNeonHttpDouble } from './neon-http-double'
import { startPostgres } from './postgres-server'
import { startQStashDouble } from './qstash-double'
import { startUpstashShim } from './upstash-shim'
import { startWsProxy } from './ws-proxy'

/**
 * What the Workers home talks to, on ports `base` … `base + 5`: PostgreSQL (migrated through the
 * Neon driver and the WebSocket proxy, the path `pnpm db:migrate:neon` takes), Neon's SQL-over-HTTP
 * double, Redis behind the Upstash protocol and a QStash double. Used by the Workers suite and the bench.
 */
export async function startCloudFarEnd(base: number, tokens: { upstash: string; qstash: string }) {
  const pg = startPostgres(base)
  const proxy = await startWsProxy(base + 1)
  const upstash = await startUpstashShim({ redisPort: base + 2, httpPort: base + 3, token: tokens.upstash })
  const qstash = await startQStashDouble({ port: base + 4, token: tokens.qstash })
  const neonHttp = await startNeonHttpDouble({ port: base + 5, connectionString: pg.url, wsProxy: proxy.address })
  const stop = async () => {
    await neonHttp.stop()
    await qstash.stop()
    await upstash.stop()
    await proxy.stop()
    pg.stop()
  }
  try {
    await migrateNeon(pg.url, proxy.address)
  } catch (err) {
    await stop()
    throw err
  }
  return {
    addresses: { databaseUrl: pg.url, wsProxy: proxy.address, neonHttpEndpoint: neonHttp.endpoint, upstashUrl: upstash.url, upstashToken: upstash.token, qstashUrl: qstash.url, qstashToken: tokens.qstash },
    stop,
  }
}
