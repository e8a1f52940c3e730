import { sql } from 'drizzle-orm'
import type { Db } from '../../db/db'
import { insertJsonRows } from '../../db/json-rows'
import { executions, services } from '../../db/schema'

/**
 * A run that ended before anything was written: its execution row, whose final `state` holds every
 * step's record (its one checkpoint; the API shows the steps from it).
 */
export type FinishedRun = typeof executions.$inferInsert & { id: string; serviceId: string }

/** Persists finished runs; `write` resolves once the run is committed. */
export interface FinishedRunWriter {
  write(run: FinishedRun): Promise<void>
}

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

// After the current turn of the event loop: requests already received get to queue their runs.
const defer: (fn: () => void) => void = typeof setImmediate === 'function' ? (fn) => setImmediate(fn) : (fn) => setTimeout(fn, 0)

/**
 * Group commit: runs that arrive while a write is being prepared or made go together in the next
 * one, so a burst costs a few statements instead of one each. Nobody waits for a
 * timer; a commit starts after the current turn of the event loop (PGlite works on this thread,
 * so committing at once would write each run alone while received requests wait). A batch that
 * fails is retried run by run, so one bad row cannot take its neighbours down with it.
 */
export function groupCommitRunWriter(db: Db, maxBatch = 200): FinishedRunWriter {
  const pending: { run: FinishedRun; resolve(): void; reject(err: unknown): void }[] = []
  let flushing = false

  async function flush(): Promise<void> {
    const batch = pending.splice(0, maxBatch)
    try {
      await writeRuns(db, batch.map((b) => b.run))
      batch.forEach((b) => b.resolve())
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err)
      else for (const b of batch) await writeRuns(db, [b.run]).then(b.resolve, b.reject)
    }
    if (pending.length > 0) defer(() => void flush())
    else flushing = false
  }

  return {
    write(run) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ run, resolve, reject })
        if (flushing) return
        flushing = true
        defer(() => void flush())
      })
    },
  }
}
