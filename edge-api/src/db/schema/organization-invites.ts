import { index, pgTable, text } from 'drizzle-orm/pg-core'
import { at, createdAt, id } from './_columns'
import { departments } from './departments'
import { orgRole } from './enums'
import { organizations } from './organizations'
import { users } from './users'

export const organizationInvites = pgTable(
  'organization_invites',
  {
    id: id(),
    organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    departmentId: text('department_id').references(() => departments.id, { onDelete: 'set null' }),
    role: orgRole('role').notNull().default('ORG_MEMBER'),
    invitedById: text('invited_by_id').notNull().references(() => users.id),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: at('expires_at').notNull(),
    acceptedAt: at('accepted_at'),
    acceptedById: text('accepted_by_id').references(() => users.id),
    declinedAt: at('declined_at'),
    createdAt: createdAt(),
  },
  (t) => [index('organization_invites_org_idx').on(t.organizationId), index('organization_invites_email_idx').on(t.email)],
)
