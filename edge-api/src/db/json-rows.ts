import { getTableColumns, getTableName, is, sql, SQL, type Column, type Table } from 'drizzle-orm'

function defaultOf(column: Column, key: string): unknown {
  if (column.defaultFn) return column.defaultFn()
  if (is(column.default, SQL)) throw new Error(`insertJsonRows: give "${key}" a value; its default is SQL`)
  return column.default ?? null
}

/**
 * `insert into <table> select * from jsonb_populate_recordset(...)`: many rows as one JSON
 * parameter expanded by Postgres, instead of one bound parameter per cell. A thousand rows cost
 * one JSON.stringify and one statement, which matters most for PGlite, where binding each value
 * runs in JavaScript. Columns left out get their static default, else NULL. Returns the statement
 * so callers can add `returning` or wrap it in a CTE.
 */
export function insertJsonRows<T extends Table>(table: T, rows: readonly T['$inferInsert'][]): SQL {
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
  return sql`insert into ${name} select * from jsonb_populate_recordset(null::${name}, ${JSON.stringify(json)}::jsonb)`
}
