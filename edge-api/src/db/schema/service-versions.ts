import { index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { createdAt, id } from './_columns'
import { services } from './services'
import { users } from './users'

/** Immutable snapshots of a workflow definition; an execution runs the version it was created with. */
export const serviceVersions = pgTable(
  'service_versions',
  {
    id: id(),
    serviceId: text('service_id').notNull().references(() => services.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    createdById: text('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('service_versions_service_version_key').on(t.serviceId, t.version),
    index('service_versions_service_id_idx').on(t.serviceId),
  ],
)
