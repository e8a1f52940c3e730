/**
 * Applies migrations/ to a Neon (or any PostgreSQL) database through the Neon driver:
 *   DATABASE_URL=postgres://... [NEON_WS_PROXY=127.0.0.1:6543] pnpm db:migrate:neon
 */
import { fileURLToPath } from 'node:url'
import { migrate } from 'drizzle-orm/neon-serverless/migrator'
import ws from 'ws'
import { openNeon } from './neon'

export async function migrateNeon(connectionString: string, wsProxy?: string): Promise<void> {
  const { db, pool } = openNeon({ connectionString, wsProxy, webSocketConstructor: ws })
  try {
    await migrate(db as never, { migrationsFolder: fileURLToPath(new URL('../../../migrations', import.meta.url)) })
  } finally {
    await pool.end()
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const url = process.env.DATABASE_URL
  if (!url) {
    console.error('DATABASE_URL is required')
    process.exit(1)
  }
  await migrateNeon(url, process.env.NEON_WS_PROXY)
  console.log('migrations applied')
}
