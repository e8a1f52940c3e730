import { and, desc, eq, isNull } from 'drizzle-orm'
import { Hono } from 'hono'
import { DeleteMeBody, UpdateMeBody } from '@2bot/contracts'
import { apiKeys, auditLogs, users } from '../../db/schema'
import type { AppEnv } from '../../env'
import { AppError } from '../../lib/errors'
import { verifyPassword } from '../../lib/password'
import { validate } from '../../middleware/validate'
import { revokeAllApiKeys, toPublicApiKey } from '../api-keys/api-keys.service'
import { audit } from '../audit/audit.service'
import { authOf, requireAuth } from '../auth/auth.middleware'
import { clearSessionCookies } from '../auth/cookies'
import { forgetUser, listSessions, revokeAllSessions } from '../auth/sessions.service'
import { toPublicUser } from '../auth/users.mapper'

export const usersRoutes = new Hono<AppEnv>()
  .get('/me', requireAuth({ scope: 'read:profile' }), (c) => c.json({ user: toPublicUser(authOf(c).user) }))
  .patch('/me', requireAuth(), validate('json', UpdateMeBody), async (c) => {
    const deps = c.get('deps')
    const { user } = authOf(c)
    const body = c.req.valid('json')
    const [updated] = await deps.db
      .update(users)
      .set({ ...body, updatedAt: deps.clock.now() })
      .where(and(eq(users.id, user.id), isNull(users.deletedAt)))
      .returning()
    forgetUser(deps, user.id)
    await audit(c, { action: 'user.update', resource: 'user', resourceId: user.id, metadata: { fields: Object.keys(body) } })
    return c.json({ user: toPublicUser(updated!) })
  })
  .get('/me/export', requireAuth(), async (c) => {
    const deps = c.get('deps')
    const { user } = authOf(c)
    const [sessions, keys, logs] = await Promise.all([
      listSessions(deps, user.id),
      deps.db.select().from(apiKeys).where(eq(apiKeys.userId, user.id)),
      deps.db.select().from(auditLogs).where(eq(auditLogs.userId, user.id)).orderBy(desc(auditLogs.createdAt)).limit(1000),
    ])
    await audit(c, { action: 'user.export', resource: 'user', resourceId: user.id })
    c.header('Content-Disposition', 'attachment; filename="2bot-export.json"')
    return c.json({
      exportedAt: deps.clock.now().toISOString(),
      user: toPublicUser(user),
      sessions: sessions.map((s) => ({ id: s.id, kind: s.kind, userAgent: s.userAgent, createdAt: s.createdAt.toISOString() })),
      apiKeys: keys.map(toPublicApiKey),
      auditLog: logs.map((l) => ({ action: l.action, status: l.status, ipAddress: l.ipAddress, createdAt: l.createdAt.toISOString() })),
    })
  })
  .delete('/me', requireAuth(), validate('json', DeleteMeBody), async (c) => {
    const deps = c.get('deps')
    const { user } = authOf(c)
    if (!user.passwordHash || !(await verifyPassword(c.req.valid('json').password, user.passwordHash))) {
      throw new AppError('WRONG_PASSWORD', 'The password is not correct', { field: 'password' })
    }
    // Soft delete: the row is kept for the retention period (30 days), then purged.
    await deps.db.update(users).set({ deletedAt: deps.clock.now() }).where(eq(users.id, user.id))
    forgetUser(deps, user.id)
    await revokeAllSessions(deps, user.id)
    await revokeAllApiKeys(deps, user.id)
    clearSessionCookies(c)
    await audit(c, { action: 'user.delete', resource: 'user', resourceId: user.id })
    return c.json({ ok: true as const })
  })
