// Creates a PGlite data folder, applies the migrations, and exits: run as a child process by
// pglite.ts, so the memory initdb grows (WebAssembly and malloc arenas) leaves with the process.
// argv: dataDir, migrationsFolder, postgresql.conf settings as JSON.
import { PGlite } from '@electric-sql/pglite'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'

const [dataDir, migrationsFolder, conf] = process.argv.slice(2)
const client = await PGlite.create({ dataDir, postgresqlconf: JSON.parse(conf) })
await migrate(drizzle(client), { migrationsFolder })
await client.close()
