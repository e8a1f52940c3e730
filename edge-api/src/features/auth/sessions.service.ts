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

const sessionKey = (tokenHash: string) => `session:${tokenHash}`
const userKey = (userId: string) => `user:${userId}`

/**
 * Whoever changes a user row (profile, plan, password, deletion) forgets it, so signed-in requests
 * see the change at once; without a cache this does nothing.
 */
export const forgetUser = (deps: AppDeps, userId: string) => sessionRows(deps)?.invalidate(userKey(userId))

/** Where sessions and their users are kept, if anywhere. */
const sessionRows = (deps: AppDeps) => deps.sessionCache ?? deps.rowCache

/**
 * The live session and its (not deleted) user for a token, or undefined. Every signed-in request
 * asks this, so where there is process memory the session row (by token hash) and the user row are
 * kept for seconds: revoking a session and changing a user forget them at once. Unknown tokens are
 * never kept.
 */
export async function findSessionByToken(deps: AppDeps, token: string): Promise<{ session: Session; user: User } | undefined> {
  const now = deps.clock.now()
  const tokenHash = await sha256Hex(token)
  const cache = sessionRows(deps)
  if (!cache) {
    const [row] = await deps.db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now), isNull(users.deletedAt)))
      .limit(1)
    if (row) await touch(deps, row.session, now)
    return row
  }
  const session = await cache.get(sessionKey(tokenHash), async () => (await deps.db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).limit(1))[0])
  if (!session) {
    cache.invalidate(sessionKey(tokenHash))
    return undefined
  }
  if (session.expiresAt <= now) return undefined
  const user = await cache.get(userKey(session.userId), async () => (await deps.db.select().from(users).where(eq(users.id, session.userId)).limit(1))[0])
  if (!user || user.deletedAt) return undefined
  await touch(deps, session, now)
  return { session, user }
}

async function touch(deps: AppDeps, session: Session, now: Date): Promise<void> {
  if (now.getTime() - session.lastSeenAt.getTime() <= TOUCH_INTERVAL_MS) return
  // The cached row is the one touched, so the next requests do not write again.
  session.lastSeenAt = now
  await deps.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, session.id))
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
    .returning({ id: sessions.id, tokenHash: sessions.tokenHash })
  deleted.forEach((d) => sessionRows(deps)?.invalidate(sessionKey(d.tokenHash)))
  return deleted.length > 0
}

/** Signs the user out everywhere, except `keepSessionId` if given. Returns how many ended. */
export async function revokeAllSessions(deps: AppDeps, userId: string, keepSessionId?: string): Promise<number> {
  const deleted = await deps.db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), keepSessionId ? ne(sessions.id, keepSessionId) : undefined))
    .returning({ id: sessions.id, tokenHash: sessions.tokenHash })
  deleted.forEach((d) => sessionRows(deps)?.invalidate(sessionKey(d.tokenHash)))
  return deleted.length
}
