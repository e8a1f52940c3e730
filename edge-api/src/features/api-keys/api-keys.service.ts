import { and, desc, eq, isNull } from 'drizzle-orm'
import type { ApiKeyScope, PublicApiKey } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { apiKeys, type ApiKey } from '../../db/schema'
import { newId, randomToken, sha256Hex } from '../../lib/crypto'
import { API_KEY_PREFIX, usable } from '../auth/api-key-tokens'

/** How long a rotated key keeps working, so deployments can switch over. */
export const ROTATION_GRACE_MS = 24 * 60 * 60 * 1000

export function toPublicApiKey(key: ApiKey): PublicApiKey {
  return {
    id: key.id,
    name: key.name,
    keyPrefix: key.keyPrefix,
    scopes: key.scopes as ApiKeyScope[],
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
  }
}

export async function listApiKeys(deps: AppDeps, userId: string): Promise<ApiKey[]> {
  return deps.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, userId), usable(deps.clock.now())))
    .orderBy(desc(apiKeys.createdAt))
}

/** Creates a key; the plain key is returned here once and never stored. */
export async function createApiKey(
  deps: AppDeps,
  input: { userId: string; name: string; scopes: ApiKeyScope[]; expiresAt?: Date | null },
): Promise<{ key: string; record: ApiKey }> {
  const key = API_KEY_PREFIX + randomToken(32)
  const [record] = await deps.db
    .insert(apiKeys)
    .values({
      id: newId(),
      userId: input.userId,
      name: input.name,
      keyHash: await sha256Hex(key),
      keyPrefix: key.slice(0, 12),
      scopes: input.scopes,
      expiresAt: input.expiresAt ?? null,
      createdAt: deps.clock.now(),
    })
    .returning()
  return { key, record: record! }
}

export async function findOwnedApiKey(deps: AppDeps, userId: string, id: string): Promise<ApiKey | undefined> {
  const [key] = await deps.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), usable(deps.clock.now())))
    .limit(1)
  return key
}

export async function revokeApiKey(deps: AppDeps, userId: string, id: string): Promise<boolean> {
  const now = deps.clock.now()
  const rows = await deps.db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), usable(now)))
    .returning({ id: apiKeys.id })
  return rows.length > 0
}

/** Issues a successor with the same name and scopes; the old key expires after the grace period. */
export async function rotateApiKey(deps: AppDeps, old: ApiKey): Promise<{ key: string; record: ApiKey; oldExpiresAt: Date }> {
  const now = deps.clock.now()
  const graceEnd = new Date(now.getTime() + ROTATION_GRACE_MS)
  const oldExpiresAt = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd
  const created = await createApiKey(deps, { userId: old.userId, name: old.name, scopes: old.scopes as ApiKeyScope[], expiresAt: old.expiresAt })
  await deps.db.update(apiKeys).set({ expiresAt: oldExpiresAt }).where(eq(apiKeys.id, old.id))
  return { ...created, oldExpiresAt }
}

export async function revokeAllApiKeys(deps: AppDeps, userId: string): Promise<void> {
  const now = deps.clock.now()
  await deps.db.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
}
