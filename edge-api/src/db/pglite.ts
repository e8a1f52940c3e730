import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'
import type { Db } from './db'
import * as schema from './schema'

export interface PgliteHandle {
  db: Db
  client: PGlite
  /**
   * VACUUM (ANALYZE) of the whole database. PGlite runs PostgreSQL as a single user, with no
   * autovacuum: without this, every run's updates (executions, jobs) leave dead rows whose space
   * is never reused, and the data folder grows for as long as the app runs.
   */
  vacuum(): Promise<void>
  close(): Promise<void>
}

/**
 * PostgreSQL's memory settings for one embedded user: its defaults (128 MB of shared buffers, and
 * WebAssembly memory never shrinks once grown) are sized for a server, and were most of the API's RSS.
 */
export const PGLITE_CONF = ['shared_buffers=16MB', 'wal_buffers=1MB', 'work_mem=2MB', 'maintenance_work_mem=16MB', 'temp_buffers=2MB']

/**
 * initdb grows PGlite's WebAssembly memory to ~700 MB, and that memory is never given back: a new
 * data folder is created in a worker thread whose memory goes when it exits, and the API opens
 * the finished folder (~150 MB less than it would keep otherwise, ~550 MB on a first start).
 */
async function createDataDir(dataDir: string): Promise<void> {
  const worker = new Worker(new URL('./pglite-initdb.worker.mjs', import.meta.url), { workerData: { dataDir, postgresqlconf: PGLITE_CONF } })
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject)
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`creating the database in ${dataDir} failed (exit ${code})`))))
  })
}

/**
 * Opens (or creates) the embedded database and applies pending migrations.
 * `dataDir` undefined means in memory; `loadDataDir` starts from a dump (fast test clones).
 */
export async function openPglite(opts: { dataDir?: string; migrationsFolder: string; loadDataDir?: Blob }): Promise<PgliteHandle> {
  if (opts.dataDir && !opts.loadDataDir && !existsSync(join(opts.dataDir, 'PG_VERSION'))) await createDataDir(opts.dataDir)
  const client = await PGlite.create({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
    postgresqlconf: PGLITE_CONF,
  })
  const db = drizzle(client, { schema })
  await migrate(db, { migrationsFolder: opts.migrationsFolder })
  return { db: db as unknown as Db, client, vacuum: async () => void (await client.exec('VACUUM (ANALYZE)')), close: () => client.close() }
}
