import { PGlite } from '@electric-sql/pglite'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'
import type { Db } from './db'
import * as schema from './schema'

export interface PgliteHandle {
  db: Db
  client: PGlite
  close(): Promise<void>
}

/**
 * Opens (or creates) the embedded database and applies pending migrations.
 * `dataDir` undefined means in memory; `loadDataDir` starts from a dump (fast test clones).
 */
export async function openPglite(opts: { dataDir?: string; migrationsFolder: string; loadDataDir?: Blob }): Promise<PgliteHandle> {
  const client = await PGlite.create({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
  })
  const db = drizzle(client, { schema })
  await migrate(db, { migrationsFolder: opts.migrationsFolder })
  return { db: db as unknown as Db, client, close: () => client.close() }
}
