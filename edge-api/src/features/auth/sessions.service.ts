import { and, eq, gt, isNull, ne } from 'drizzle-orm'
import type { AppDeps } from '../../deps'
import { sessions, users, type Session, type User } from '../../db/schema'
import { newId, randomToken, sha256Hex } from '../../lib/crypto'
import { SESSION_TTL_SECONDS } from './cookies'

/** How often a session's last-seen time is written; reads in between cost no write. */
const TOUCH_INTERVAL_MS = 60_000

export async function createSession(
  deps: AppDeps,
  input: { userId: string; kind: Session['kind']; userAgent?: string; ipAddress?: string },
): Promise<{ token: string; session: Session }> {
  const token = randomToken(32)
  const now = deps.clock.now()
  const [session] = await deps.db
    .insert(sessions)
    .values({
      id: newId(),
      userId: input.userId,
      tokenHash: await sha256Hex(token),
      kind: input.kind,
      userAgent: input.userAgent?.slice(0, 500) ?? null,
      ipAddress: input.ipAddress ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + SESSION_TTL_SECONDS * 1000),
    })
    .returning()
  return { token, session: session! }
}

/** The live session and its (not deleted) user for a token, or undefined. */
export async function findSessionByToken(deps: AppDeps, token: string): Promise<{ session: Session; user: User } | undefined> {
  const now = deps.clock.now()
  const [row] = await deps.db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, await sha256Hex(token)), gt(sessions.expiresAt, now), isNull(users.deletedAt)))
    .limit(1)
  if (!row) return undefined
  if (now.getTime() - row.session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await deps.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, row.session.id))
  }
  return row
}

export async function listSessions(deps: AppDeps, userId: string): Promise<Session[]> {
  return deps.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, deps.clock.now())))
    .orderBy(sessions.createdAt)
}

/** Deletes one session of this user; false if no such session is theirs. */
export async function revokeSession(deps: AppDeps, userId: string, sessionId: string): Promise<boolean> {
  const deleted = await deps.db
    .delete(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
    .returning({ id: sessions.id })
  return deleted.length > 0
}

/** Signs the user out everywhere, except `keepSessionId` if given. Returns how many ended. */
export async function revokeAllSessions(deps: AppDeps, userId: string, keepSessionId?: string): Promise<number> {
  const deleted = await deps.db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), keepSessionId ? ne(sessions.id, keepSessionId) : undefined))
    .returning({ id: sessions.id })
  return deleted.length
}
