import { integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id } from './_columns'
import { stepStatus } from './enums'
import { executions } from './executions'

/** One row per attempt of a step: the checkpoint a resumed run starts after. */
export const executionSteps = pgTable(
  'execution_steps',
  {
    id: id(),
    executionId: text('execution_id').notNull().references(() => executions.id, { onDelete: 'cascade' }),
    stepId: text('step_id').notNull(),
    /** Which lease of the job ran this attempt: a resumed run's steps are told apart from the crashed one's. */
    lease: integer('lease').notNull().default(1),
    attempt: integer('attempt').notNull().default(1),
    status: stepStatus('status').notNull(),
    input: jsonb('input').$type<unknown>(),
    output: jsonb('output').$type<unknown>(),
    error: text('error'),
    /** 'USER' (fix the workflow or credentials) or 'SYSTEM' (ours to fix). */
    errorKind: text('error_kind', { enum: ['USER', 'SYSTEM'] }),
    startedAt: at('started_at').notNull(),
    completedAt: at('completed_at'),
    createdAt: createdAt(),
  },
  // The unique key leads with execution_id, so it also serves "the steps of an execution".
  (t) => [uniqueIndex('execution_steps_exec_step_lease_attempt_key').on(t.executionId, t.stepId, t.lease, t.attempt)],
)
