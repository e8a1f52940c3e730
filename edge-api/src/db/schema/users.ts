import { sql } from 'drizzle-orm'
import { index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, deletedAt, id, updatedAt } from './_columns'
import { orgRole, planType, userRole } from './enums'

export const users = pgTable(
  'users',
  {
    id: id(),
    /** Stored lower-cased; unique among users that are not deleted. */
    email: text('email').notNull(),
    name: text('name'),
    passwordHash: text('password_hash'),
    image: text('image'),
    emailVerifiedAt: at('email_verified_at'),
    role: userRole('role').notNull().default('MEMBER'),
    plan: planType('plan').notNull().default('FREE'),
    theme: text('theme').notNull().default('system'),
    failedLoginCount: integer('failed_login_count').notNull().default(0),
    lockedUntil: at('locked_until'),
    organizationId: text('organization_id'),
    departmentId: text('department_id'),
    orgRole: orgRole('org_role'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: deletedAt(),
  },
  (t) => [
    uniqueIndex('users_email_active_key').on(t.email).where(sql`${t.deletedAt} is null`),
    index('users_organization_id_idx').on(t.organizationId),
  ],
)

export type User = typeof users.$inferSelect
