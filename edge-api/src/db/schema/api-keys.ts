import { index, pgTable, text } from 'drizzle-orm/pg-core'
import { at, createdAt, id } from './_columns'
import { users } from './users'

export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    /** The first characters of the key, shown in lists so a user can tell keys apart. */
    keyPrefix: text('key_prefix').notNull(),
    scopes: text('scopes').array().notNull(),
    lastUsedAt: at('last_used_at'),
    lastUsedIp: text('last_used_ip'),
    expiresAt: at('expires_at'),
    createdAt: createdAt(),
    revokedAt: at('revoked_at'),
  },
  (t) => [index('api_keys_user_id_idx').on(t.userId), index('api_keys_key_prefix_idx').on(t.keyPrefix)],
)

export type ApiKey = typeof apiKeys.$inferSelect
