import { index, integer, jsonb, pgTable, real, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { createdAt, deletedAt, id, updatedAt } from './_columns'
import { orgPlan } from './enums'
import { users } from './users'

export const organizations = pgTable(
  'organizations',
  {
    id: id(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    ownerId: text('owner_id').notNull().references(() => users.id),
    logo: text('logo'),
    plan: orgPlan('plan').notNull().default('ORG_STARTER'),
    maxSeats: integer('max_seats').notNull().default(10),
    usedSeats: integer('used_seats').notNull().default(0),
    stripeCustomerId: text('stripe_customer_id'),
    stripeSubscriptionId: text('stripe_subscription_id'),
    totalRamMb: integer('total_ram_mb').notNull().default(4096),
    totalCpuCores: real('total_cpu_cores').notNull().default(2),
    totalStorageMb: integer('total_storage_mb').notNull().default(10240),
    settings: jsonb('settings').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: deletedAt(),
  },
  (t) => [uniqueIndex('organizations_slug_key').on(t.slug), index('organizations_owner_id_idx').on(t.ownerId)],
)
