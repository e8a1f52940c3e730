import { Hono, type Context } from 'hono'
import { getCookie } from 'hono/cookie'
import {
  ChangePasswordBody,
  ForgotPasswordBody,
  LoginBody,
  RegisterBody,
  ResetPasswordBody,
  VerifyEmailBody,
} from '@2bot/contracts'
import type { Session, User } from '../../db/schema'
import type { AppEnv } from '../../env'
import { AppError, notFound } from '../../lib/errors'
import { rateLimit } from '../../middleware/rate-limit.middleware'
import { validate } from '../../middleware/validate'
import { audit } from '../audit/audit.service'
import { toPublicUser } from './users.mapper'
import { authOf, requireAuth } from './auth.middleware'
import {
  attemptLogin,
  changePassword,
  findActiveUserByEmail,
  issuePasswordResetToken,
  issueVerificationToken,
  registerUser,
  resetPassword,
  verifyEmail,
} from './auth.service'
import { CSRF_COOKIE, clearSessionCookies, setSessionCookies } from './cookies'
import { createSession, listSessions, revokeAllSessions, revokeSession } from './sessions.service'

const authLimit = rateLimit('auth', (l) => l.auth)

/** Starts a session; browsers get cookies, the desktop app gets the token in the body. */
async function signIn(c: Context<AppEnv>, user: User, kind: Session['kind']) {
  const deps = c.get('deps')
  const { token, session } = await createSession(deps, {
    userId: user.id,
    kind,
    userAgent: c.req.header('user-agent'),
    ipAddress: deps.clientIp(c),
  })
  if (kind === 'cookie') {
    const csrfToken = setSessionCookies(c, token)
    return { user: toPublicUser(user), sessionId: session.id, expiresAt: session.expiresAt.toISOString(), csrfToken }
  }
  return { user: toPublicUser(user), sessionId: session.id, expiresAt: session.expiresAt.toISOString(), token }
}

async function sendVerificationMail(c: Context<AppEnv>, user: User) {
  const deps = c.get('deps')
  const token = await issueVerificationToken(deps, user)
  await deps.mailer.send({
    to: user.email,
    subject: 'Confirm your 2Bot email address',
    text: `Welcome to 2Bot! Confirm your address: ${deps.config.publicUrl}/verify-email?token=${token}\nThe link is valid for 24 hours.`,
  })
}

export const authRoutes = new Hono<AppEnv>()
  .post('/register', authLimit, validate('json', RegisterBody), async (c) => {
    const { tokenType, ...body } = c.req.valid('json')
    const user = await registerUser(c.get('deps'), body)
    await sendVerificationMail(c, user)
    await audit(c, { action: 'auth.register', resource: 'user', resourceId: user.id, userId: user.id })
    return c.json(await signIn(c, user, tokenType ?? 'cookie'), 201)
  })
  .post('/login', authLimit, validate('json', LoginBody), async (c) => {
    const deps = c.get('deps')
    const body = c.req.valid('json')
    const outcome = await attemptLogin(deps, body.email, body.password)
    if (!outcome.ok) {
      await audit(c, {
        action: 'auth.login',
        resource: 'user',
        resourceId: outcome.user?.id ?? null,
        userId: outcome.user?.id ?? null,
        status: 'failure',
        metadata: { reason: outcome.reason, email: body.email },
      })
      if (outcome.reason === 'locked') {
        const retryAfterSeconds = Math.ceil((outcome.lockedUntil!.getTime() - deps.clock.now().getTime()) / 1000)
        throw new AppError('ACCOUNT_LOCKED', 'Too many failed sign-ins. The account is locked for 15 minutes; you can also reset your password.', {
          retryAfterSeconds,
          lockedUntil: outcome.lockedUntil!.toISOString(),
        })
      }
      throw new AppError('INVALID_CREDENTIALS', 'Email or password is incorrect')
    }
    const result = await signIn(c, outcome.user, body.tokenType ?? 'cookie')
    await audit(c, { action: 'auth.login', resource: 'session', resourceId: result.sessionId, userId: outcome.user.id, metadata: { tokenType: body.tokenType ?? 'cookie' } })
    return c.json(result)
  })
  .post('/logout', requireAuth(), async (c) => {
    const auth = authOf(c)
    if (auth.sessionId) await revokeSession(c.get('deps'), auth.user.id, auth.sessionId)
    clearSessionCookies(c)
    await audit(c, { action: 'auth.logout', resource: 'session', resourceId: auth.sessionId ?? null })
    return c.json({ ok: true as const })
  })
  .post('/logout-all', requireAuth(), async (c) => {
    const auth = authOf(c)
    const ended = await revokeAllSessions(c.get('deps'), auth.user.id)
    clearSessionCookies(c)
    await audit(c, { action: 'auth.logout_all', resource: 'session', metadata: { ended } })
    return c.json({ ok: true as const, ended })
  })
  .get('/session', requireAuth(), async (c) => {
    const auth = authOf(c)
    return c.json({
      user: toPublicUser(auth.user),
      sessionId: auth.sessionId ?? null,
      via: auth.via,
      csrfToken: auth.via === 'cookie' ? (getCookie(c, CSRF_COOKIE) ?? null) : null,
    })
  })
  .get('/sessions', requireAuth(), async (c) => {
    const auth = authOf(c)
    const rows = await listSessions(c.get('deps'), auth.user.id)
    return c.json({
      sessions: rows.map((s) => ({
        id: s.id,
        kind: s.kind,
        userAgent: s.userAgent,
        ipAddress: s.ipAddress,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        current: s.id === auth.sessionId,
      })),
    })
  })
  .delete('/sessions/:id', requireAuth(), async (c) => {
    const auth = authOf(c)
    const id = c.req.param('id')
    if (!(await revokeSession(c.get('deps'), auth.user.id, id))) throw notFound('Session')
    if (id === auth.sessionId) clearSessionCookies(c)
    await audit(c, { action: 'auth.session_revoke', resource: 'session', resourceId: id })
    return c.json({ ok: true as const })
  })
  .post('/verify-email', authLimit, validate('json', VerifyEmailBody), async (c) => {
    const user = await verifyEmail(c.get('deps'), c.req.valid('json').token)
    await audit(c, { action: 'auth.verify_email', resource: 'user', resourceId: user.id, userId: user.id })
    return c.json({ ok: true as const, user: toPublicUser(user) })
  })
  .post('/verify-email/resend', authLimit, requireAuth(), async (c) => {
    const { user } = authOf(c)
    if (user.emailVerifiedAt) return c.json({ ok: true as const, alreadyVerified: true })
    await sendVerificationMail(c, user)
    await audit(c, { action: 'auth.verify_email_resend', resource: 'user', resourceId: user.id })
    return c.json({ ok: true as const, alreadyVerified: false })
  })
  .post('/forgot-password', authLimit, validate('json', ForgotPasswordBody), async (c) => {
    const deps = c.get('deps')
    const { email } = c.req.valid('json')
    const user = await findActiveUserByEmail(deps, email)
    if (user) {
      const token = await issuePasswordResetToken(deps, user)
      await deps.mailer.send({
        to: user.email,
        subject: 'Reset your 2Bot password',
        text: `Someone asked to reset the password of your 2Bot account. If it was you, open: ${deps.config.publicUrl}/reset-password?token=${token}\nThe link is valid for 1 hour. If it was not you, ignore this mail.`,
      })
    }
    await audit(c, { action: 'auth.forgot_password', resource: 'user', resourceId: user?.id ?? null, userId: user?.id ?? null, metadata: { known: Boolean(user) } })
    // The same answer whether or not the address has an account.
    return c.json({ ok: true as const, message: 'If an account exists for this address, a reset link is on its way.' })
  })
  .post('/reset-password', authLimit, validate('json', ResetPasswordBody), async (c) => {
    const body = c.req.valid('json')
    const user = await resetPassword(c.get('deps'), body.token, body.password)
    await audit(c, { action: 'auth.reset_password', resource: 'user', resourceId: user.id, userId: user.id })
    return c.json({ ok: true as const })
  })
  .post('/change-password', requireAuth(), validate('json', ChangePasswordBody), async (c) => {
    const auth = authOf(c)
    const body = c.req.valid('json')
    try {
      const ended = await changePassword(c.get('deps'), auth.user, { ...body, keepSessionId: auth.sessionId })
      await audit(c, { action: 'auth.change_password', resource: 'user', resourceId: auth.user.id, metadata: { otherSessionsEnded: ended } })
      return c.json({ ok: true as const, otherSessionsEnded: ended })
    } catch (err) {
      if (err instanceof AppError) await audit(c, { action: 'auth.change_password', resource: 'user', resourceId: auth.user.id, status: 'failure' })
      throw err
    }
  })
