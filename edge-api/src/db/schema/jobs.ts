import { index, integer, pgTable, text } from 'drizzle-orm/pg-core'
import { at, createdAt, id, updatedAt } from './_columns'
import { executions } from './executions'
import { workspaces } from './workspaces'

/**
 * The durable queue (and outbox): a job row is written in the same transaction as its execution,
 * so an accepted trigger is never lost. Runtimes lease jobs; a lease that expires without a
 * heartbeat goes back to the queue (the reaper), and the next attempt resumes from the checkpoint.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: id(),
    workspaceId: text('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    executionId: text('execution_id').notNull().references(() => executions.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['QUEUED', 'LEASED', 'DONE', 'DEAD'] }).notNull().default('QUEUED'),
    availableAt: at('available_at').notNull().defaultNow(),
    leasedUntil: at('leased_until'),
    leaseOwner: text('lease_owner'),
    /** How many leases this job has had; past the limit it is dead-lettered. */
    leases: integer('leases').notNull().default(0),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('jobs_ready_idx').on(t.workspaceId, t.status, t.availableAt), index('jobs_execution_idx').on(t.executionId)],
)

export type Job = typeof jobs.$inferSelect
