import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditLogs, sessions, users } from '../../db/schema'
import { createTestContext, registerUser, STRONG_PASSWORD, type TestContext } from '../../../test/support/test-app'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

const tokenFromMail = (to: string, kind: 'verify-email' | 'reset-password') => {
  const mail = [...ctx.mailer.list()].reverse().find((m) => m.to === to && m.text.includes(kind))
  return mail?.text.match(/token=([A-Za-z0-9_-]+)/)?.[1]
}

const auditActions = async (userId: string) =>
  (await ctx.db.select().from(auditLogs).where(eq(auditLogs.userId, userId))).map((r) => `${r.action}:${r.status}`)

describe('register', () => {
  it('creates the user, signs them in with cookies and mails a verification link', async () => {
    const agent = ctx.agent()
    const res = await agent.api.auth.register.$post({ json: { email: '  New.User@Example.com ', password: STRONG_PASSWORD, name: 'New' } })
    expect(res.status).toBe(201)
    const body = await res.json()
    expect(body.user).toMatchObject({ email: 'new.user@example.com', name: 'New', emailVerified: false, plan: 'FREE' })
    expect(JSON.stringify(body)).not.toMatch(/passwordHash|pbkdf2/)
    expect(agent.cookies.get('2bot_session')).toBeTruthy()
    expect(agent.cookies.get('2bot_csrf')).toBe('csrfToken' in body ? body.csrfToken : undefined)
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('2bot_session='))!
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    expect(tokenFromMail('new.user@example.com', 'verify-email')).toBeTruthy()
    const [row] = await ctx.db.select().from(users).where(eq(users.email, 'new.user@example.com'))
    expect(row!.passwordHash).toMatch(/^pbkdf2-sha256\$100000\$/)
    expect(await auditActions(row!.id)).toContain('auth.register:success')
  })

  it('gives the desktop app a bearer token on registration when asked', async () => {
    const agent = ctx.agent()
    const res = await agent.api.auth.register.$post({ json: { email: 'desk@example.com', password: STRONG_PASSWORD, tokenType: 'bearer' } })
    const body = await res.json()
    expect(res.status).toBe(201)
    expect(agent.cookies.size).toBe(0)
    agent.useBearer('token' in body ? body.token : undefined)
    expect((await agent.api.users.me.$get()).status).toBe(200)
  })

  it('refuses a taken email with 409 and creates nothing', async () => {
    const { email } = await registerUser(ctx)
    const before = (await ctx.db.select().from(users)).length
    const res = await ctx.agent().api.auth.register.$post({ json: { email: email.toUpperCase(), password: STRONG_PASSWORD } })
    expect(res.status).toBe(409)
    expect((await res.json()) as unknown).toMatchObject({ error: { code: 'EMAIL_TAKEN', requestId: expect.any(String) } })
    expect((await ctx.db.select().from(users)).length).toBe(before)
  })

  it('names each weak-password rule that fails', async () => {
    const res = await ctx.agent().raw('/api/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'weak@example.com', password: 'short' }),
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as unknown as { error: { code: string; details: { path: string; message: string }[] } }
    expect(body.error.code).toBe('VALIDATION_FAILED')
    expect(body.error.details.every((d) => d.path === 'password')).toBe(true)
    expect(body.error.details.map((d) => d.message)).toEqual(
      expect.arrayContaining(['Use at least 8 characters', 'Include an uppercase letter', 'Include a number', 'Include a symbol']),
    )
  })

  it.each([
    ['malformed JSON', '{"email":', 'application/json', 400, 'MALFORMED_JSON'],
    ['unknown field', JSON.stringify({ email: 'x@example.com', password: STRONG_PASSWORD, role: 'ADMIN' }), 'application/json', 400, 'VALIDATION_FAILED'],
    ['bad email', JSON.stringify({ email: 'not-an-email', password: STRONG_PASSWORD }), 'application/json', 400, 'VALIDATION_FAILED'],
    ['form body', 'email=a@b.c&password=x', 'application/x-www-form-urlencoded', 400, 'VALIDATION_FAILED'],
    ['oversized body', JSON.stringify({ email: 'big@example.com', password: STRONG_PASSWORD, name: 'x'.repeat(1_100_000) }), 'application/json', 413, 'PAYLOAD_TOO_LARGE'],
  ])('answers %s with a clear 4xx and writes nothing', async (_name, body, type, status, code) => {
    const before = (await ctx.db.select().from(users)).length
    const res = await ctx.agent().raw('/api/auth/register', { method: 'POST', headers: { 'content-type': type }, body })
    expect(res.status).toBe(status)
    expect(((await res.json()) as unknown as { error: { code: string } }).error.code).toBe(code)
    expect((await ctx.db.select().from(users)).length).toBe(before)
  })
})

describe('login', () => {
  it('signs in with cookies; the session endpoint then knows the user', async () => {
    const { email } = await registerUser(ctx)
    const agent = ctx.agent()
    const res = await agent.api.auth.login.$post({ json: { email, password: STRONG_PASSWORD } })
    expect(res.status).toBe(200)
    const session = await agent.api.auth.session.$get()
    expect(session.status).toBe(200)
    expect((await session.json()).user.email).toBe(email)
  })

  it('gives the desktop app a bearer token instead of cookies', async () => {
    const { email } = await registerUser(ctx)
    const agent = ctx.agent()
    const res = await agent.api.auth.login.$post({ json: { email, password: STRONG_PASSWORD, tokenType: 'bearer' } })
    const body = (await res.json()) as unknown as { token?: string }
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    expect(agent.cookies.size).toBe(0)
    agent.useBearer(body.token)
    const me = await agent.api.users.me.$get()
    expect((await me.json()).user.email).toBe(email)
    const [row] = await ctx.db.select().from(sessions).where(eq(sessions.kind, 'bearer'))
    expect(row!.tokenHash).not.toBe(body.token)
  })

  it('answers a wrong password and an unknown email the same way', async () => {
    const { email } = await registerUser(ctx)
    const wrong = await ctx.agent().api.auth.login.$post({ json: { email, password: 'Wrong-Pass-1' } })
    const unknown = await ctx.agent().api.auth.login.$post({ json: { email: 'nobody@example.com', password: 'Wrong-Pass-1' } })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    const [a, b] = [(await wrong.json()) as unknown as { error: { message: string } }, (await unknown.json()) as unknown as { error: { message: string } }]
    expect(a.error.message).toBe(b.error.message)
  })

  it('locks the account for 15 minutes after 5 wrong passwords, even for the right one', async () => {
    const { email, user } = await registerUser(ctx)
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await ctx.agent().api.auth.login.$post({ json: { email, password: 'Wrong-Pass-1' } })).status)
    expect(statuses).toEqual([401, 401, 401, 401, 423])
    const locked = await ctx.agent().api.auth.login.$post({ json: { email, password: STRONG_PASSWORD } })
    expect(locked.status).toBe(423)
    expect(locked.headers.get('retry-after')).toBe('900')
    ctx.clock.advance(14 * 60 * 1000)
    expect((await ctx.agent().api.auth.login.$post({ json: { email, password: STRONG_PASSWORD } })).status).toBe(423)
    ctx.clock.advance(61 * 1000)
    expect((await ctx.agent().api.auth.login.$post({ json: { email, password: STRONG_PASSWORD } })).status).toBe(200)
    const actions = await auditActions(user.id)
    expect(actions.filter((a) => a === 'auth.login:failure')).toHaveLength(7)
    expect(actions).toContain('auth.login:success')
  })

  it('rate-limits sign-in attempts per address', async () => {
    const limited = await createTestContext({})
    limited.deps.config.rateLimits.auth = { max: 3, windowSeconds: 60 }
    const agent = limited.agent()
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await agent.api.auth.login.$post({ json: { email: 'a@example.com', password: 'x' } })).status)
    expect(statuses).toEqual([401, 401, 401, 429])
    // Another address is not affected.
    const other = await agent.raw('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', 'x-test-ip': '10.9.9.9' }, body: JSON.stringify({ email: 'a@example.com', password: 'x' }) })
    expect(other.status).toBe(401)
    await limited.close()
  })
})

describe('sessions and CSRF', () => {
  it('refuses a cookie-authenticated write without the CSRF header', async () => {
    const { agent } = await registerUser(ctx)
    const noHeader = await agent.raw('/api/auth/logout', { method: 'POST', headers: { 'x-csrf-token': 'forged-token-value' } })
    expect(noHeader.status).toBe(403)
    expect(((await noHeader.json()) as unknown as { error: { code: string } }).error.code).toBe('CSRF_FAILED')
    expect((await agent.api.auth.session.$get()).status).toBe(200)
  })

  it('logout ends this session only', async () => {
    const { agent, email } = await registerUser(ctx)
    const other = ctx.agent()
    await other.api.auth.login.$post({ json: { email, password: STRONG_PASSWORD } })
    expect((await agent.api.auth.logout.$post()).status).toBe(200)
    expect(agent.cookies.has('2bot_session')).toBe(false)
    expect((await agent.api.auth.session.$get()).status).toBe(401)
    expect((await other.api.auth.session.$get()).status).toBe(200)
  })

  it('lists sessions, revokes one, and 404s on a session of another user', async () => {
    const alice = await registerUser(ctx)
    const bob = await registerUser(ctx)
    const second = ctx.agent()
    await second.api.auth.login.$post({ json: { email: alice.email, password: STRONG_PASSWORD } })
    const list = await (await alice.agent.api.auth.sessions.$get()).json()
    expect(list.sessions).toHaveLength(2)
    expect(list.sessions.filter((s) => s.current)).toHaveLength(1)
    const bobsSession = (await (await bob.agent.api.auth.sessions.$get()).json()).sessions[0]!
    const cross = await alice.agent.api.auth.sessions[':id'].$delete({ param: { id: bobsSession.id } })
    expect(cross.status).toBe(404)
    expect((await bob.agent.api.auth.session.$get()).status).toBe(200)
    const otherId = list.sessions.find((s) => !s.current)!.id
    expect((await alice.agent.api.auth.sessions[':id'].$delete({ param: { id: otherId } })).status).toBe(200)
    expect((await second.api.auth.session.$get()).status).toBe(401)
  })

  it('"log out all devices" ends every session', async () => {
    const { agent, email } = await registerUser(ctx)
    const other = ctx.agent()
    await other.api.auth.login.$post({ json: { email, password: STRONG_PASSWORD } })
    const res = await agent.api.auth['logout-all'].$post()
    expect((await res.json()).ended).toBe(2)
    expect((await other.api.auth.session.$get()).status).toBe(401)
    expect((await agent.api.auth.session.$get()).status).toBe(401)
  })

  it('expires sessions after 30 days', async () => {
    const { agent } = await registerUser(ctx)
    ctx.clock.advance(31 * 24 * 60 * 60 * 1000)
    expect((await agent.api.auth.session.$get()).status).toBe(401)
  })

  it('answers 401 without credentials and with junk credentials', async () => {
    const agent = ctx.agent()
    expect((await agent.api.auth.session.$get()).status).toBe(401)
    const junk = await agent.raw('/api/auth/session', { headers: { authorization: 'Bearer not-a-real-token-at-all' } })
    expect(junk.status).toBe(401)
    const basic = await agent.raw('/api/auth/session', { headers: { authorization: 'Basic dXNlcjpwYXNz' } })
    expect(basic.status).toBe(401)
  })
})

describe('email verification', () => {
  it('verifies with the mailed token once', async () => {
    const { agent, email } = await registerUser(ctx)
    const token = tokenFromMail(email, 'verify-email')!
    const res = await agent.api.auth['verify-email'].$post({ json: { token } })
    expect(res.status).toBe(200)
    expect((await res.json()).user.emailVerified).toBe(true)
    const again = await agent.api.auth['verify-email'].$post({ json: { token } })
    expect(again.status).toBe(400)
    expect(((await again.json()) as unknown as { error: { code: string } }).error.code).toBe('TOKEN_INVALID')
  })

  it('resends a link while unverified', async () => {
    const { agent, email } = await registerUser(ctx)
    const first = tokenFromMail(email, 'verify-email')
    const res = await agent.api.auth['verify-email'].resend.$post()
    expect((await res.json()).alreadyVerified).toBe(false)
    expect(tokenFromMail(email, 'verify-email')).not.toBe(first)
  })

  it('refuses an expired token', async () => {
    const { agent, email } = await registerUser(ctx)
    const token = tokenFromMail(email, 'verify-email')!
    ctx.clock.advance(25 * 60 * 60 * 1000)
    expect((await agent.api.auth['verify-email'].$post({ json: { token } })).status).toBe(400)
  })
})

describe('password reset and change', () => {
  it('answers the same for unknown addresses and mails nothing', async () => {
    const before = ctx.mailer.list().length
    const res = await ctx.agent().api.auth['forgot-password'].$post({ json: { email: 'ghost@example.com' } })
    expect(res.status).toBe(200)
    expect(ctx.mailer.list().length).toBe(before)
  })

  it('resets with the mailed token, ends every session, and the token works once', async () => {
    const { agent, email } = await registerUser(ctx)
    await ctx.agent().api.auth['forgot-password'].$post({ json: { email } })
    const token = tokenFromMail(email, 'reset-password')!
    const res = await ctx.agent().api.auth['reset-password'].$post({ json: { token, password: 'Brand-New-Pass-2' } })
    expect(res.status).toBe(200)
    expect((await agent.api.auth.session.$get()).status).toBe(401)
    expect((await ctx.agent().api.auth.login.$post({ json: { email, password: STRONG_PASSWORD } })).status).toBe(401)
    expect((await ctx.agent().api.auth.login.$post({ json: { email, password: 'Brand-New-Pass-2' } })).status).toBe(200)
    expect((await ctx.agent().api.auth['reset-password'].$post({ json: { token, password: 'Another-Pass-3' } })).status).toBe(400)
  })

  it('changes the password, keeping this session and ending the others', async () => {
    const { agent, email, user } = await registerUser(ctx)
    const other = ctx.agent()
    await other.api.auth.login.$post({ json: { email, password: STRONG_PASSWORD } })
    const wrong = await agent.api.auth['change-password'].$post({ json: { currentPassword: 'Nope-Nope-1', newPassword: 'Changed-Pass-4' } })
    expect(wrong.status).toBe(400)
    expect(((await wrong.json()) as unknown as { error: { code: string } }).error.code).toBe('WRONG_PASSWORD')
    const res = await agent.api.auth['change-password'].$post({ json: { currentPassword: STRONG_PASSWORD, newPassword: 'Changed-Pass-4' } })
    expect((await res.json()).otherSessionsEnded).toBe(1)
    expect((await agent.api.auth.session.$get()).status).toBe(200)
    expect((await other.api.auth.session.$get()).status).toBe(401)
    expect(await auditActions(user.id)).toEqual(expect.arrayContaining(['auth.change_password:failure', 'auth.change_password:success']))
  })
})
