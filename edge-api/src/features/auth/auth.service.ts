import { and, eq, gt, isNull, sql } from 'drizzle-orm'
import type { AppDeps } from '../../deps'
import { passwordResetTokens, users, verificationTokens, type User } from '../../db/schema'
import { newId, randomToken, sha256Hex } from '../../lib/crypto'
import { AppError } from '../../lib/errors'
import { decoyPasswordHash, hashPassword, verifyPassword } from '../../lib/password'
import { forgetUser, revokeAllSessions } from './sessions.service'

export const MAX_FAILED_LOGINS = 5
export const LOCKOUT_MS = 15 * 60 * 1000
const VERIFY_TTL_MS = 24 * 60 * 60 * 1000
const RESET_TTL_MS = 60 * 60 * 1000

export async function findActiveUserByEmail(deps: AppDeps, email: string): Promise<User | undefined> {
  const [user] = await deps.db.select().from(users).where(and(eq(users.email, email), isNull(users.deletedAt))).limit(1)
  return user
}

const isUniqueViolation = (err: unknown): boolean => {
  const e = err as { code?: string; cause?: { code?: string } }
  return e?.code === '23505' || e?.cause?.code === '23505'
}

export async function registerUser(deps: AppDeps, input: { email: string; password: string; name?: string }): Promise<User> {
  if (await findActiveUserByEmail(deps, input.email)) {
    throw new AppError('EMAIL_TAKEN', 'An account with this email already exists', { field: 'email' })
  }
  const now = deps.clock.now()
  try {
    const [user] = await deps.db
      .insert(users)
      .values({ id: newId(), email: input.email, name: input.name ?? null, passwordHash: await hashPassword(input.password), createdAt: now, updatedAt: now })
      .returning()
    return user!
  } catch (err) {
    // Two registrations raced past the check above; the partial unique index decided.
    if (isUniqueViolation(err)) throw new AppError('EMAIL_TAKEN', 'An account with this email already exists', { field: 'email' })
    throw err
  }
}

export type LoginOutcome =
  | { ok: true; user: User }
  | { ok: false; reason: 'unknown_email' | 'wrong_password' | 'locked'; user?: User; lockedUntil?: Date }

/**
 * Checks a password with lockout: the 5th wrong password in a row locks the account for 15 minutes.
 * Unknown emails cost the same hashing time as known ones.
 */
export async function attemptLogin(deps: AppDeps, email: string, password: string): Promise<LoginOutcome> {
  const now = deps.clock.now()
  const user = await findActiveUserByEmail(deps, email)
  if (!user?.passwordHash) {
    await verifyPassword(password, await decoyPasswordHash())
    return { ok: false, reason: 'unknown_email' }
  }
  if (user.lockedUntil && user.lockedUntil > now) return { ok: false, reason: 'locked', user, lockedUntil: user.lockedUntil }
  if (await verifyPassword(password, user.passwordHash)) {
    if (user.failedLoginCount > 0 || user.lockedUntil) {
      await deps.db.update(users).set({ failedLoginCount: 0, lockedUntil: null }).where(eq(users.id, user.id))
    }
    return { ok: true, user }
  }
  const lockUntil = new Date(now.getTime() + LOCKOUT_MS)
  // One statement so that parallel wrong guesses cannot skip the lock.
  const [updated] = await deps.db
    .update(users)
    .set({
      failedLoginCount: sql`case when ${users.failedLoginCount} + 1 >= ${MAX_FAILED_LOGINS} then 0 else ${users.failedLoginCount} + 1 end`,
      lockedUntil: sql`case when ${users.failedLoginCount} + 1 >= ${MAX_FAILED_LOGINS} then ${lockUntil.toISOString()}::timestamptz else ${users.lockedUntil} end`,
    })
    .where(eq(users.id, user.id))
    .returning({ lockedUntil: users.lockedUntil })
  const locked = updated?.lockedUntil && updated.lockedUntil > now
  return locked ? { ok: false, reason: 'locked', user, lockedUntil: updated.lockedUntil! } : { ok: false, reason: 'wrong_password', user }
}

/** Issues a single-use email verification token and returns it (the caller mails it). */
export async function issueVerificationToken(deps: AppDeps, user: User): Promise<string> {
  const token = randomToken(32)
  const now = deps.clock.now()
  await deps.db.insert(verificationTokens).values({
    id: newId(),
    userId: user.id,
    identifier: user.email,
    tokenHash: await sha256Hex(token),
    expiresAt: new Date(now.getTime() + VERIFY_TTL_MS),
    createdAt: now,
  })
  return token
}

export async function verifyEmail(deps: AppDeps, token: string): Promise<User> {
  const now = deps.clock.now()
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(verificationTokens)
      .set({ usedAt: now })
      .where(and(eq(verificationTokens.tokenHash, await sha256Hex(token)), isNull(verificationTokens.usedAt), gt(verificationTokens.expiresAt, now)))
      .returning()
    if (!row) throw new AppError('TOKEN_INVALID', 'This verification link is invalid or has expired')
    const [user] = await tx
      .update(users)
      .set({ emailVerifiedAt: now, updatedAt: now })
      .where(and(eq(users.id, row.userId), eq(users.email, row.identifier), isNull(users.deletedAt)))
      .returning()
    if (!user) throw new AppError('TOKEN_INVALID', 'This verification link is invalid or has expired')
    forgetUser(deps, user.id)
    return user
  })
}

export async function issuePasswordResetToken(deps: AppDeps, user: User): Promise<string> {
  const token = randomToken(32)
  const now = deps.clock.now()
  await deps.db.insert(passwordResetTokens).values({
    id: newId(),
    userId: user.id,
    tokenHash: await sha256Hex(token),
    expiresAt: new Date(now.getTime() + RESET_TTL_MS),
    createdAt: now,
  })
  return token
}

/** Sets a new password from a reset token; every session of the user ends. */
export async function resetPassword(deps: AppDeps, token: string, password: string): Promise<User> {
  const now = deps.clock.now()
  const passwordHash = await hashPassword(password)
  const user = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(passwordResetTokens)
      .set({ usedAt: now })
      .where(and(eq(passwordResetTokens.tokenHash, await sha256Hex(token)), isNull(passwordResetTokens.usedAt), gt(passwordResetTokens.expiresAt, now)))
      .returning()
    if (!row) throw new AppError('TOKEN_INVALID', 'This reset link is invalid or has expired')
    const [updated] = await tx
      .update(users)
      .set({ passwordHash, failedLoginCount: 0, lockedUntil: null, updatedAt: now })
      .where(and(eq(users.id, row.userId), isNull(users.deletedAt)))
      .returning()
    if (!updated) throw new AppError('TOKEN_INVALID', 'This reset link is invalid or has expired')
    return updated
  })
  await revokeAllSessions(deps, user.id)
  forgetUser(deps, user.id)
  return user
}

/** Changes the password after checking the current one; other sessions end, this one stays. */
export async function changePassword(
  deps: AppDeps,
  user: User,
  input: { currentPassword: string; newPassword: string; keepSessionId?: string },
): Promise<number> {
  if (!user.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throw new AppError('WRONG_PASSWORD', 'The current password is not correct', { field: 'currentPassword' })
  }
  await deps.db
    .update(users)
    .set({ passwordHash: await hashPassword(input.newPassword), updatedAt: deps.clock.now() })
    .where(eq(users.id, user.id))
  forgetUser(deps, user.id)
  return revokeAllSessions(deps, user.id, input.keepSessionId)
}
