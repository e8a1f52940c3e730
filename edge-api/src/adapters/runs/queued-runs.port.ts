import type { executions, jobs } from '../../db/schema'

/** A run about to be queued: its execution row and the job that carries it to the workspace. */
export interface QueuedRun {
  execution: typeof executions.$inferInsert & { id: string; serviceId: string }
  job: typeof jobs.$inferInsert & { id: string }
}

/** Writes queued runs (the outbox); resolves with whether each was new (a duplicate trigger is not). */
export interface QueuedRunWriter {
  write(run: QueuedRun): Promise<boolean>
}
