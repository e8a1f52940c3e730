import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { users } from '../../db/schema'
import { createTestContext, registerUser, STRONG_PASSWORD, type TestContext } from '../../../test/support/test-app'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

describe('/api/users/me', () => {
  it('returns the signed-in user without secrets', async () => {
    const { agent, email } = await registerUser(ctx)
    const res = await agent.api.users.me.$get()
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.user).toMatchObject({ email, theme: 'system', role: 'MEMBER' })
    expect(Object.keys(body.user)).not.toContain('passwordHash')
    expect(Object.keys(body.user)).not.toContain('failedLoginCount')
  })

  it('401 without sign-in', async () => {
    const res = await ctx.agent().api.users.me.$get()
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } })
  })

  it('updates name and theme, and refuses bad values without changing anything', async () => {
    const { agent } = await registerUser(ctx)
    const ok = await agent.api.users.me.$patch({ json: { name: 'Renamed', theme: 'dark' } })
    expect(ok.status).toBe(200)
    expect((await ok.json()).user).toMatchObject({ name: 'Renamed', theme: 'dark' })
    for (const body of [{ theme: 'purple' }, {}, { email: 'steal@example.com' }, { name: 'x'.repeat(101) }]) {
      const res = await agent.raw('/api/users/me', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      expect(res.status).toBe(400)
    }
    expect((await (await agent.api.users.me.$get()).json()).user).toMatchObject({ name: 'Renamed', theme: 'dark' })
  })

  it('exports the user data as a download', async () => {
    const { agent, email } = await registerUser(ctx)
    const res = await agent.api.users.me.export.$get()
    expect(res.headers.get('content-disposition')).toMatch(/attachment/)
    const body = await res.json()
    expect(body.user.email).toBe(email)
    expect(body.auditLog.map((l) => l.action)).toContain('auth.register')
  })

  it('deletes softly after the password is confirmed; the email can be used again', async () => {
    const { agent, email, user } = await registerUser(ctx)
    const wrong = await agent.api.users.me.$delete({ json: { password: 'Not-It-123!' } })
    expect(wrong.status).toBe(400)
    expect((await agent.api.users.me.$get()).status).toBe(200)
    const res = await agent.api.users.me.$delete({ json: { password: STRONG_PASSWORD } })
    expect(res.status).toBe(200)
    const [row] = await ctx.db.select().from(users).where(eq(users.id, user.id))
    expect(row!.deletedAt).not.toBeNull()
    expect((await agent.api.users.me.$get()).status).toBe(401)
    expect((await ctx.agent().api.auth.login.$post({ json: { email, password: STRONG_PASSWORD } })).status).toBe(401)
    const again = await ctx.agent().api.auth.register.$post({ json: { email, password: STRONG_PASSWORD } })
    expect(again.status).toBe(201)
  })
})
