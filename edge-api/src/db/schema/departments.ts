import { index, integer, pgTable, real, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { createdAt, id, updatedAt } from './_columns'
import { organizations } from './organizations'

export const departments = pgTable(
  'departments',
  {
    id: id(),
    organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    color: text('color'),
    /** Soft quotas inside the organization's shared pool. */
    ramQuotaMb: integer('ram_quota_mb'),
    cpuQuotaCores: real('cpu_quota_cores'),
    storageQuotaMb: integer('storage_quota_mb'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('departments_org_name_key').on(t.organizationId, t.name),
    index('departments_organization_id_idx').on(t.organizationId),
  ],
)
