import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import type * as schema from './schema'

/** The database the app sees: drizzle over PGlite locally or over Neon's Pool in the cloud. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>
