import { forgetUser } from '../auth/sessions.service'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PublicInstalledPlugin, PublicPlugin, RuntimePlugin } from '@2bot/contracts'
import { marketplaceItems, userInstalls, users } from '../../db/schema'
import { ensureWorkspace, issueWorkspaceToken } from '../workspaces/workspaces.service'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

type Agent = Awaited<ReturnType<typeof registerUser>>['agent']
const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const BOT = { type: 'TELEGRAM_BOT', name: 'Bot', config: {}, credentials: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' } } as const

async function install(agent: Agent, slug: string, body: unknown = {}) {
  const res = await agent.raw(`/api/user/plugins/${slug}/install`, json(body))
  return { status: res.status, body: (await res.json()) as { plugin: PublicInstalledPlugin; error: { code: string; message: string; details: unknown } } }
}

async function runtimeOf(userId: string) {
  const token = await issueWorkspaceToken(ctx.deps, (await ensureWorkspace(ctx.deps, userId)).id)
  return async (path: string, body?: unknown) => {
    const res = await ctx.app.request(`/api/runtime${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as { plugin: RuntimePlugin; value: unknown; error: { code: string; details: { code: string } } } }
  }
}

describe('/api/marketplace', () => {
  it('lists the built-in plugins without their source, to anyone', async () => {
    const res = await ctx.app.request('/api/marketplace?type=PLUGIN')
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toContain('export async function')
    const { items } = JSON.parse(text) as { items: PublicPlugin[] }
    expect(items.map((i) => i.slug)).toEqual(expect.arrayContaining(['welcome-message', 'keyword-stats', 'text-tools']))
    const welcome = items.find((i) => i.slug === 'welcome-message')!
    expect(welcome).toMatchObject({ category: 'Communication', isOfficial: true, gateways: ['TELEGRAM_BOT'] })
    expect(welcome.configFields[0]).toMatchObject({ key: 'template', type: 'text', required: true })
    expect((await ctx.app.request('/api/marketplace/no-such-plugin')).status).toBe(404)
    expect((await ctx.app.request('/api/marketplace/Bad_Slug')).status).toBe(400)
    expect((await ctx.app.request('/api/marketplace?type=THEME')).status).toBe(400)
  })
})

describe('/api/user/plugins', () => {
  it('installs with defaults filled in, lists, configures, disables and uninstalls', async () => {
    const { agent } = await registerUser(ctx)
    const [before] = await ctx.db.select().from(marketplaceItems).where(eq(marketplaceItems.slug, 'keyword-stats'))
    const res = await install(agent, 'keyword-stats')
    expect(res.status).toBe(201)
    expect(res.body.plugin).toMatchObject({ slug: 'keyword-stats', enabled: true, config: { minLength: 4, keep: 200 }, gatewayBindings: {}, stateBytes: 0 })
    const [after] = await ctx.db.select().from(marketplaceItems).where(eq(marketplaceItems.slug, 'keyword-stats'))
    expect(after!.installCount).toBe(before!.installCount + 1)
    expect((await install(agent, 'keyword-stats')).status).toBe(409)

    const configured = await agent.raw('/api/user/plugins/keyword-stats/config', { ...json({ config: { minLength: 2 } }), method: 'PATCH' })
    expect(((await configured.json()) as { plugin: PublicInstalledPlugin }).plugin.config).toEqual({ minLength: 2, keep: 200 })
    const disabled = await agent.raw('/api/user/plugins/keyword-stats/disable', { method: 'POST' })
    expect(((await disabled.json()) as { plugin: PublicInstalledPlugin }).plugin.enabled).toBe(false)
    const list = (await (await agent.api.user.plugins.$get()).json()) as { plugins: PublicInstalledPlugin[] }
    expect(list.plugins.map((p) => [p.slug, p.enabled])).toEqual([['keyword-stats', false]])

    expect((await agent.raw('/api/user/plugins/keyword-stats/uninstall', { method: 'DELETE' })).status).toBe(200)
    expect(((await (await agent.api.user.plugins.$get()).json()) as { plugins: unknown[] }).plugins).toHaveLength(0)
    expect((await agent.raw('/api/user/plugins/keyword-stats/uninstall', { method: 'DELETE' })).status).toBe(404)
    // Installing again after an uninstall starts afresh.
    expect((await install(agent, 'keyword-stats')).status).toBe(201)
  })

  it('refuses a bad config or gateway binding, naming the field, and changes nothing', async () => {
    const { agent } = await registerUser(ctx)
    const cases: [string, unknown, string][] = [
      ['keyword-stats', { config: { minLength: 'four' } }, 'config.minLength'],
      ['keyword-stats', { config: { surprise: 1 } }, 'config.surprise'],
      ['welcome-message', { config: { template: '' } }, 'config.template'],
      ['keyword-stats', { gateways: { AI: 'x' } }, 'gateways.AI'],
    ]
    for (const [slug, body, path] of cases) {
      const res = await install(agent, slug, body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect((res.body.error.details as { path: string }[]).map((d) => d.path)).toContain(path)
    }
    // A gateway id that names no gateway of the user's is not found, naming the field.
    const missing = await install(agent, 'welcome-message', { gateways: { TELEGRAM_BOT: 'not-mine' } })
    expect(missing.status).toBe(404)
    expect(missing.body.error).toMatchObject({ code: 'NOT_FOUND', details: [{ path: 'gateways.TELEGRAM_BOT' }] })
    expect((await install(agent, 'Nope!')).status).toBe(400)
    expect((await install(agent, 'no-such-plugin')).status).toBe(404)
    expect(((await (await agent.api.user.plugins.$get()).json()) as { plugins: unknown[] }).plugins).toHaveLength(0)
  })

  it('binds only the user’s own gateway of the right type', async () => {
    const { agent } = await registerUser(ctx)
    const { agent: other } = await registerUser(ctx)
    const theirs = ((await (await other.api.gateways.$post({ json: BOT })).json()) as { gateway: { id: string } }).gateway.id
    const mine = ((await (await agent.api.gateways.$post({ json: BOT })).json()) as { gateway: { id: string } }).gateway.id
    // Another user's gateway answers exactly as one that does not exist.
    const foreign = await install(agent, 'welcome-message', { gateways: { TELEGRAM_BOT: theirs } })
    const nowhere = await install(agent, 'welcome-message', { gateways: { TELEGRAM_BOT: 'no-such-gateway' } })
    expect([foreign.status, nowhere.status]).toEqual([404, 404])
    expect(foreign.body.error.message).toBe(nowhere.body.error.message)
    const ok = await install(agent, 'welcome-message', { gateways: { TELEGRAM_BOT: mine } })
    expect(ok.status).toBe(201)
    expect(ok.body.plugin.gatewayBindings).toEqual({ TELEGRAM_BOT: mine })
    expect(ok.body.plugin.config).toEqual({ template: 'Welcome, {name}! 👋' })
  })

  it('holds a plan to its number of plugins, and installs the same plugin once even when asked twice at once', async () => {
    const { agent, user } = await registerUser(ctx)
    const source = 'export async function ping() { return 1 }'
    await ctx.db
      .insert(marketplaceItems)
      .values({ id: 'extra-item', slug: 'extra-plugin', type: 'PLUGIN', name: 'Extra', description: 'x', version: '1.0.0', author: 't', config: { source, actions: [{ name: 'ping', label: 'Ping' }] } })
      .onConflictDoNothing()
    const twice = await Promise.all([install(agent, 'text-tools'), install(agent, 'text-tools')])
    expect(twice.map((r) => r.status).sort()).toEqual([201, 409])
    expect((await install(agent, 'keyword-stats')).status).toBe(201)
    expect((await install(agent, 'welcome-message')).status).toBe(201)
    const over = await install(agent, 'extra-plugin')
    expect([over.status, over.body.error.details]).toEqual([403, { code: 'PLAN_LIMIT', limit: 3 }])
    await ctx.db.update(users).set({ plan: 'STARTER' }).where(eq(users.id, user.id))
    forgetUser(ctx.deps, user.id)
    expect((await install(agent, 'extra-plugin')).status).toBe(201)
  })

  it('needs sign-in, and another user’s install is not found', async () => {
    expect((await ctx.app.request('/api/user/plugins')).status).toBe(401)
    expect((await ctx.app.request('/api/user/plugins/text-tools/install', json({}))).status).toBe(401)
    const { agent } = await registerUser(ctx)
    const { agent: other } = await registerUser(ctx)
    await install(agent, 'text-tools')
    expect((await other.raw('/api/user/plugins/text-tools/disable', { method: 'POST' })).status).toBe(404)
    expect((await other.raw('/api/user/plugins/text-tools/uninstall', { method: 'DELETE' })).status).toBe(404)
  })
})

describe('/api/runtime/plugins', () => {
  it('gives a workspace its owner’s plugin with source, and keeps its storage', async () => {
    const { agent, user } = await registerUser(ctx)
    await install(agent, 'keyword-stats')
    const runtime = await runtimeOf(user.id)
    const loaded = await runtime('/plugins/keyword-stats')
    expect(loaded.status).toBe(200)
    expect(loaded.body.plugin).toMatchObject({ slug: 'keyword-stats', version: '1.0.0', config: { minLength: 4, keep: 200 } })
    expect(loaded.body.plugin.source).toContain('export async function track')

    expect((await runtime('/plugins/keyword-stats/storage', { op: 'get', key: 'counts' })).body.value).toBeNull()
    await runtime('/plugins/keyword-stats/storage', { op: 'set', key: 'counts', value: { hello: 2 } })
    await Promise.all([1, 2, 3].map((n) => runtime('/plugins/keyword-stats/storage', { op: 'set', key: `k${n}`, value: n })))
    expect((await runtime('/plugins/keyword-stats/storage', { op: 'get', key: 'counts' })).body.value).toEqual({ hello: 2 })
    const [row] = await ctx.db.select().from(userInstalls).where(eq(userInstalls.userId, user.id))
    expect(row!.state).toEqual({ counts: { hello: 2 }, k1: 1, k2: 2, k3: 3 })
    await runtime('/plugins/keyword-stats/storage', { op: 'delete', key: 'k1' })
    const listed = ((await (await agent.api.user.plugins.$get()).json()) as { plugins: PublicInstalledPlugin[] }).plugins[0]!
    expect(listed.stateBytes).toBe(JSON.stringify({ k2: 2, k3: 3, counts: { hello: 2 } }).length)

    const full = await runtime('/plugins/keyword-stats/storage', { op: 'set', key: 'big', value: 'x'.repeat(70 * 1024) })
    expect(full.status).toBe(413)
    expect(full.body.error.details.code).toBe('PLUGIN_STORAGE_FULL')
    expect((await runtime('/plugins/keyword-stats/storage', { op: 'get', key: 'big' })).body.value).toBeNull()
    expect((await runtime('/plugins/keyword-stats/storage', { op: 'nope', key: 'x' })).status).toBe(400)
  })

  it('says not installed or disabled, and never serves another tenant’s install', async () => {
    const { agent, user } = await registerUser(ctx)
    const { user: other } = await registerUser(ctx)
    const runtime = await runtimeOf(user.id)
    const missing = await runtime('/plugins/text-tools')
    expect([missing.status, missing.body.error.details.code]).toEqual([404, 'PLUGIN_NOT_INSTALLED'])
    await install(agent, 'text-tools')
    await agent.raw('/api/user/plugins/text-tools/disable', { method: 'POST' })
    const disabled = await runtime('/plugins/text-tools')
    expect([disabled.status, disabled.body.error.details.code]).toEqual([409, 'PLUGIN_DISABLED'])
    const otherRuntime = await runtimeOf(other.id)
    expect((await otherRuntime('/plugins/text-tools')).status).toBe(404)
    expect((await otherRuntime('/plugins/text-tools/storage', { op: 'get', key: 'a' })).status).toBe(404)
    expect((await ctx.app.request('/api/runtime/plugins/text-tools')).status).toBe(401)
  })
})
