import { boolean, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core'
import { at, createdAt, deletedAt, id, updatedAt } from './_columns'
import { serviceStatus, triggerType } from './enums'
import { marketplaceItems } from './marketplace-items'
import { organizations } from './organizations'
import { users } from './users'

/** A workflow a user owns. Its definition lives in service_versions; this row points at the current one. */
export const services = pgTable(
  'services',
  {
    id: id(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    organizationId: text('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    itemId: text('item_id').references(() => marketplaceItems.id),
    name: text('name').notNull(),
    description: text('description'),
    isEnabled: boolean('is_enabled').notNull().default(true),
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    triggerType: triggerType('trigger_type').notNull(),
    currentVersion: integer('current_version').notNull().default(1),
    status: serviceStatus('status').notNull().default('IDLE'),
    lastRunAt: at('last_run_at'),
    nextRunAt: at('next_run_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: deletedAt(),
  },
  (t) => [index('services_user_id_idx').on(t.userId), index('services_organization_id_idx').on(t.organizationId)],
)
