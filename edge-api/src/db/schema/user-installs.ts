import { boolean, index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { createdAt, deletedAt, id, updatedAt } from './_columns'
import { marketplaceType } from './enums'
import { marketplaceItems } from './marketplace-items'
import { organizations } from './organizations'
import { users } from './users'

/** A marketplace item installed by a user (plugin, theme, widget or service template). */
export const userInstalls = pgTable(
  'user_installs',
  {
    id: id(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    organizationId: text('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    itemId: text('item_id').notNull().references(() => marketplaceItems.id),
    itemType: marketplaceType('item_type').notNull(),
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    state: jsonb('state').$type<Record<string, unknown>>(),
    /** A plugin's gateways: the id of one of the owner's gateways per gateway type it calls. */
    gatewayBindings: jsonb('gateway_bindings').$type<Record<string, string>>().notNull().default({}),
    isEnabled: boolean('is_enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: deletedAt(),
  },
  (t) => [
    uniqueIndex('user_installs_user_item_key').on(t.userId, t.itemId).where(sql`${t.deletedAt} is null`),
    index('user_installs_user_id_idx').on(t.userId),
  ],
)

export type UserInstall = typeof userInstalls.$inferSelect
