// Creates a new PGlite data folder and exits (see pglite.ts: initdb's memory leaves with this thread).
import { workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'

const db = await PGlite.create({ dataDir: workerData.dataDir, postgresqlconf: workerData.postgresqlconf })
await db.close()
