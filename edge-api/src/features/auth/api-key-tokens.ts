import { and, eq, gt, isNull, or } from 'drizzle-orm'
import type { AppDeps } from '../../deps'
import { apiKeys, users, type ApiKey, type User } from '../../db/schema'
import { sha256Hex } from '../../lib/crypto'

// Here rather than in api-keys/: every authenticated route checks keys, and api-keys/ itself needs auth.
export const API_KEY_PREFIX = '2bot_'
const LAST_USED_WRITE_INTERVAL_MS = 60_000

/** Not revoked and not expired at `now`. */
export const usable = (now: Date) => and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)))

export async function findApiKeyByToken(deps: AppDeps, token: string, ip?: string): Promise<{ key: ApiKey; user: User } | undefined> {
  if (!token.startsWith(API_KEY_PREFIX) || token.length > 200) return undefined
  const now = deps.clock.now()
  const [row] = await deps.db
    .select({ key: apiKeys, user: users })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.keyHash, await sha256Hex(token)), usable(now), isNull(users.deletedAt)))
    .limit(1)
  if (!row) return undefined
  if (!row.key.lastUsedAt || now.getTime() - row.key.lastUsedAt.getTime() > LAST_USED_WRITE_INTERVAL_MS) {
    await deps.db.update(apiKeys).set({ lastUsedAt: now, lastUsedIp: ip ?? null }).where(eq(apiKeys.id, row.key.id))
  }
  return row
}
