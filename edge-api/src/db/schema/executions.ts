import { sql } from 'drizzle-orm'
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id } from './_columns'
import { departments } from './departments'
import { executionStatus } from './enums'
import { organizations } from './organizations'
import { services } from './services'
import { users } from './users'

export const executions = pgTable(
  'executions',
  {
    id: id(),
    serviceId: text('service_id').notNull().references(() => services.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    organizationId: text('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    /** An organization's run: the department of the service owner's seat when it was triggered. */
    departmentId: text('department_id').references(() => departments.id, { onDelete: 'set null' }),
    serviceVersion: integer('service_version').notNull(),
    status: executionStatus('status').notNull().default('PENDING'),
    /** 'manual', 'schedule', 'webhook', 'event:<gateway>' or 'test'. */
    triggeredBy: text('triggered_by').notNull(),
    triggerData: jsonb('trigger_data').$type<unknown>(),
    attempt: integer('attempt').notNull().default(1),
    /** 'run', or 'dry-run' (side-effecting steps reported, not executed). */
    mode: text('mode', { enum: ['run', 'dry-run'] }).notNull().default('run'),
    /** The engine's RunState after the last checkpoint: what a resumed attempt starts from. */
    state: jsonb('state').$type<Record<string, unknown>>(),
    /** The last step's output (the synchronous webhook response). */
    result: jsonb('result').$type<unknown>(),
    error: text('error'),
    errorKind: text('error_kind', { enum: ['USER', 'SYSTEM'] }),
    /** Failed after exhausting its retries or leases: kept for inspection and manual retry. */
    deadLetter: boolean('dead_letter').notNull().default(false),
    cancelRequestedAt: at('cancel_requested_at'),
    tokensUsed: integer('tokens_used').notNull().default(0),
    /** Makes a redelivered trigger (e.g. a Telegram update id) create no second run. */
    dedupKey: text('dedup_key'),
    startedAt: at('started_at'),
    completedAt: at('completed_at'),
    heartbeatAt: at('heartbeat_at'),
    createdAt: createdAt(),
  },
  (t) => [
    // A service's runs, newest first (the executions list).
    index('executions_service_created_idx').on(t.serviceId, t.createdAt),
    index('executions_user_id_created_idx').on(t.userId, t.createdAt),
    // Only organizations' runs pay for these: the pool's usage by department, and deleting a department.
    index('executions_organization_created_idx').on(t.organizationId, t.createdAt).where(sql`${t.organizationId} is not null`),
    index('executions_department_idx').on(t.departmentId).where(sql`${t.departmentId} is not null`),
    // Only runs with a dedup key pay for this one (a webhook's or a manual run's do not).
    uniqueIndex('executions_service_dedup_key').on(t.serviceId, t.dedupKey).where(sql`${t.dedupKey} is not null`),
  ],
)
