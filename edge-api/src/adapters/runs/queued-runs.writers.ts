import { sql } from 'drizzle-orm'
import type { Db } from '../../db/db'
import { insertJsonRows } from '../../db/json-rows'
import { executions, jobs, services } from '../../db/schema'
import { groupCommit } from '../../lib/group-commit'
import type { QueuedRun, QueuedRunWriter } from './queued-runs.port'

/**
 * One statement, so atomic without a transaction's round trips: the execution rows (a duplicate
 * dedup key inserts nothing), a job for each row that went in, and their services' last run.
 */
async function writeQueued(db: Db, runs: QueuedRun[]): Promise<boolean[]> {
  const lastRunAt = runs.reduce((latest, r) => (r.execution.createdAt && r.execution.createdAt > latest ? r.execution.createdAt : latest), new Date(0))
  const result = await db.execute(sql`
    with inserted as (${insertJsonRows(executions, runs.map((r) => r.execution))} on conflict do nothing returning id, service_id),
    queued as (
      ${insertJsonRows(jobs, runs.map((r) => r.job))}
      where execution_id in (select id from inserted)),
    touched as (update ${services} set last_run_at = ${lastRunAt.toISOString()}::timestamptz where id in (select service_id from inserted))
    select id from inserted`)
  const ids = new Set((((result as { rows?: { id: string }[] }).rows ?? result) as { id: string }[]).map((r) => r.id))
  return runs.map((r) => ids.has(r.execution.id))
}

/** One statement per call: for homes whose connections belong to one request (Workers). */
export function directQueuedRunWriter(db: Db): QueuedRunWriter {
  return { write: async (run) => (await writeQueued(db, [run]))[0]! }
}

/** Group commit (lib/group-commit.ts): webhooks received in the same turn of the event loop queue their runs in one statement. */
export function groupCommitQueuedRunWriter(db: Db, maxBatch = 200): QueuedRunWriter {
  return { write: groupCommit((runs: QueuedRun[]) => writeQueued(db, runs), maxBatch) }
}
