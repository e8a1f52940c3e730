import { index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core'
import { at, createdAt, id } from './_columns'
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
    serviceVersion: integer('service_version').notNull(),
    status: executionStatus('status').notNull().default('PENDING'),
    /** 'manual', 'schedule', 'webhook', 'event:<gateway>' or 'test'. */
    triggeredBy: text('triggered_by').notNull(),
    triggerData: jsonb('trigger_data').$type<unknown>(),
    attempt: integer('attempt').notNull().default(1),
    error: text('error'),
    startedAt: at('started_at'),
    completedAt: at('completed_at'),
    heartbeatAt: at('heartbeat_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('executions_service_id_idx').on(t.serviceId),
    index('executions_user_id_created_idx').on(t.userId, t.createdAt),
    index('executions_status_idx').on(t.status),
  ],
)
