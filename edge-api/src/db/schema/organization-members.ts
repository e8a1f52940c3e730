import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { createdAt, deletedAt, id, updatedAt } from './_columns'
import { departments } from './departments'
import { orgRole } from './enums'
import { organizations } from './organizations'
import { users } from './users'

/** A seat: one user in one organization, optionally in a department. */
export const organizationMembers = pgTable(
  'organization_members',
  {
    id: id(),
    organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    departmentId: text('department_id').references(() => departments.id, { onDelete: 'set null' }),
    role: orgRole('role').notNull().default('ORG_MEMBER'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: deletedAt(),
  },
  (t) => [
    uniqueIndex('organization_members_org_user_key').on(t.organizationId, t.userId),
    index('organization_members_user_id_idx').on(t.userId),
  ],
)
