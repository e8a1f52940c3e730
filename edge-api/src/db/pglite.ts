import { fork } from 'node:child_process'
import { existsSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
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
 * initdb grows PGlite's WebAssembly memory to ~700 MB, and that memory is never given back; even
 * from a worker thread, glibc kept ~190 MB of what the thread freed in its malloc arenas (the API
 * idled at ~400 MB RSS after a first start, ~210 MB after later ones). So a new data folder is
 * created and migrated in a child process, and the API opens the finished folder.
 */
async function createDataDir(dataDir: string, migrationsFolder: string): Promise<void> {
  // Built beside the final folder and renamed when complete: a start that dies half-way leaves
  // no folder that looks ready.
  const building = `${dataDir}.creating`
  rmSync(building, { recursive: true, force: true })
  const script = fileURLToPath(new URL('./pglite-initdb.child.mjs', import.meta.url))
  const child = fork(script, [building, migrationsFolder, JSON.stringify(PGLITE_CONF)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`creating the database in ${dataDir} failed (exit ${code})`))))
  })
  rmSync(dataDir, { recursive: true, force: true })
  renameSync(building, dataDir)
}

/**
 * Opens (or creates) the embedded database and applies pending migrations.
 * `dataDir` undefined means in memory; `loadDataDir` starts from a dump (fast test clones).
 */
export async function openPglite(opts: { dataDir?: string; migrationsFolder: string; loadDataDir?: Blob }): Promise<PgliteHandle> {
  if (opts.dataDir && !opts.loadDataDir && !existsSync(join(opts.dataDir, 'PG_VERSION'))) await createDataDir(opts.dataDir, opts.migrationsFolder)
  const client = await PGlite.create({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
    postgresqlconf: PGLITE_CONF,
  })
  const db = drizzle(client, { schema })
  await migrate(db, { migrationsFolder: opts.migrationsFolder })
  return { db: db as unknown as Db, client, vacuum: async () => void (await client.exec('VACUUM (ANALYZE)')), close: () => client.close() }
}
