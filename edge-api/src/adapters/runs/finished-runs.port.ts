import type { executions } from '../../db/schema'

/**
 * A run that ended before anything was written: its execution row, whose final `state` holds every
 * step's record (its one checkpoint; the API shows the steps from it).
 */
export type FinishedRun = typeof executions.$inferInsert & { id: string; serviceId: string }

/** Persists finished runs; `write` resolves once the run is committed. */
export interface FinishedRunWriter {
  write(run: FinishedRun): Promise<void>
}
