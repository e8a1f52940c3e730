import { index, pgTable, text } from 'drizzle-orm/pg-core'
import { at, createdAt, id } from './_columns'
import { users } from './users'

/** Single-use tokens that prove control of an email address. */
export const verificationTokens = pgTable(
  'verification_tokens',
  {
    id: id(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    /** The address being verified, so a later email change invalidates old tokens. */
    identifier: text('identifier').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('verification_tokens_user_id_idx').on(t.userId)],
)
