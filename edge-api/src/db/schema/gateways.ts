import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core'
import { at, createdAt, deletedAt, id, updatedAt } from './_columns'
import { gatewayStatus, gatewayType } from './enums'
import { organizations } from './organizations'
import { users } from './users'

export const gateways = pgTable(
  'gateways',
  {
    id: id(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    organizationId: text('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    type: gatewayType('type').notNull(),
    name: text('name').notNull(),
    /** Settings that are not secret (model name, base URL), safe to return to the client. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    /** AES-256-GCM ciphertext of the credentials, prefixed with the id of the key that sealed it. */
    credentials: text('credentials').notNull(),
    status: gatewayStatus('status').notNull().default('DISCONNECTED'),
    lastActive: at('last_active'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: deletedAt(),
  },
  (t) => [index('gateways_user_id_idx').on(t.userId), index('gateways_organization_id_idx').on(t.organizationId)],
)
export type Gateway = typeof gateways.$inferSelect
