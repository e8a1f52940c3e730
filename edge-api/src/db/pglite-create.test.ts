import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'
import { openPglite } from './pglite'

const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url))
const root = mkdtempSync(join(tmpdir(), '2bot-pglite-create-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

it('a new data folder is created and migrated in a child process, and what a start that died half-way left is discarded', { timeout: 90_000 }, async () => {
  const dataDir = join(root, 'pglite')
  // A previous first start killed while initdb ran: a half-built folder, and an empty final one.
  mkdirSync(`${dataDir}.creating`)
  writeFileSync(join(`${dataDir}.creating`, 'PG_VERSION'), 'half')
  mkdirSync(dataDir)

  const first = await openPglite({ dataDir, migrationsFolder: MIGRATIONS_DIR })
  const tables = await first.client.query<{ n: number }>(`select count(*)::int as n from information_schema.tables where table_name in ('users', 'executions')`)
  expect(tables.rows[0]!.n).toBe(2)
  await first.client.exec(`insert into users (id, email, password_hash) values ('kept', 'kept@example.com', 'x')`)
  await first.close()
  expect(existsSync(`${dataDir}.creating`)).toBe(false)

  // Opened again, the folder is used as it is (nothing recreated).
  const again = await openPglite({ dataDir, migrationsFolder: MIGRATIONS_DIR })
  expect((await again.client.query(`select id from users where id = 'kept'`)).rows).toHaveLength(1)
  await again.close()
})
