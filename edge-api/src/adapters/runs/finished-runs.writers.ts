import { sql } from 'drizzle-orm'
import type { Db } from '../../db/db'
import { insertJsonRows } from '../../db/json-rows'
import { executions, services } from '../../db/schema'
import { groupCommit } from '../../lib/group-commit'
import type { FinishedRun, FinishedRunWriter } from './finished-runs.port'

/**
 * Writes runs in one statement (so atomically, without a transaction's extra round trips): all
 * execution rows, and each of their services' last run.
 */
async function writeRuns(db: Db, runs: FinishedRun[]): Promise<void> {
  const lastRunAt = runs.reduce((latest, r) => (r.completedAt && r.completedAt > latest ? r.completedAt : latest), new Date(0))
  const serviceId = sql.identifier(executions.serviceId.name)
  await db.execute(sql`
    with inserted as (${insertJsonRows(executions, runs)} returning ${serviceId})
    update ${services} set ${sql.identifier(services.lastRunAt.name)} = ${lastRunAt.toISOString()}::timestamptz
    where ${services.id} in (select ${serviceId} from inserted)`)
}

/** One statement per run: for homes whose connections belong to one request (Workers). */
export function directRunWriter(db: Db): FinishedRunWriter {
  return { write: (run) => writeRuns(db, [run]) }
}

/** Group commit (lib/group-commit.ts): runs finished in the same turn of the event loop go in one statement. */
export function groupCommitRunWriter(db: Db, maxBatch = 200): FinishedRunWriter {
  const write = groupCommit<FinishedRun, void>(async (runs) => {
    await writeRuns(db, runs)
    return runs.map(() => undefined)
  }, maxBatch)
  return { write }
}
