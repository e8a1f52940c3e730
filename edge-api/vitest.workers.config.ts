import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

/** Values global-setup.ts hands to the pool. */
declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
    wsProxy: string
    neonHttpEndpoint: string
    upstashUrl: string
    upstashToken: string
    qstashUrl: string
    qstashToken: string
  }
}

/**
 * The Workers suite: the real worker entry runs inside workerd and reaches a real PostgreSQL
 * through the Neon driver (HTTP for one-shot queries, WebSockets for transactions), a real Redis through the Upstash REST protocol,
 * and a QStash double. The servers are started by test/workers/global-setup.ts.
 */
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      main: './src/worker.ts',
      wrangler: { configPath: '../wrangler.toml' },
      miniflare: {
        bindings: {
          APP_ENV: 'test',
          PUBLIC_URL: 'http://2bot.test',
          DATABASE_URL: inject('databaseUrl'),
          NEON_WS_PROXY: inject('wsProxy'),
          // One-shot queries over Neon's HTTP driver, transactions over WebSockets: what runs on Neon itself.
          NEON_HTTP_ENDPOINT: inject('neonHttpEndpoint'),
          ENCRYPTION_KEY: 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdCE=',
          UPSTASH_REDIS_REST_URL: inject('upstashUrl'),
          UPSTASH_REDIS_REST_TOKEN: inject('upstashToken'),
          QSTASH_URL: inject('qstashUrl'),
          QSTASH_TOKEN: inject('qstashToken'),
          AUTH_RATE_LIMIT_PER_MINUTE: '1000',
          LOG_LEVEL: 'warn',
        },
      },
    })),
  ],
  test: {
    include: ['test/workers/**/*.test.ts'],
    globalSetup: ['test/workers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
