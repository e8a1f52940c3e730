import { getTableColumns, getTableName, is, sql, SQL, type Column, type Table } from 'drizzle-orm'
import type { Db } from './db'

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/**
 * Inserts many rows as one JSON parameter expanded by Postgres (`jsonb_populate_recordset`)
 * instead of one bound parameter per cell: a thousand rows cost one JSON.stringify and
 * one statement, which matters most for PGlite, where binding each value runs in JavaScript.
 * Columns left out get their static default, else NULL.
 */
function defaultOf(column: Column, key: string): unknown {
  if (column.defaultFn) return column.defaultFn()
  if (is(column.default, SQL)) throw new Error(`bulkInsert: give "${key}" a value; its default is SQL`)
  return column.default ?? null
}

export async function bulkInsert<T extends Table>(db: Db | Tx, table: T, rows: readonly T['$inferInsert'][]): Promise<void> {
  if (rows.length === 0) return
  const columns = Object.entries(getTableColumns(table))
  const json = rows.map((row) => {
    const out: Record<string, unknown> = {}
    for (const [key, column] of columns) {
      const value = (row as Record<string, unknown>)[key]
      out[column.name] = value !== undefined ? value : defaultOf(column, key)
    }
    return out
  })
  const name = sql.identifier(getTableName(table))
  await db.execute(sql`insert into ${name} select * from jsonb_populate_recordset(null::${name}, ${JSON.stringify(json)}::jsonb)`)
}
