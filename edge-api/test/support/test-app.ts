import { localBilling } from '../../src/adapters/billing/billing.port'
import type { Cache } from '../../src/adapters/cache/cache.port'
import { createMemoryCache } from '../../src/adapters/cache/memory.cache'
import { createOutboxMailer } from '../../src/adapters/mail/outbox.mailer'
import { createLocalQueue } from '../../src/adapters/queue/local.queue'
import { noWorkspaceDriver } from '../../src/adapters/workspace/workspace-driver.port'
import { createApp } from '../../src/app'
import { createExecutionEvents } from '../../src/adapters/events/memory.execution-events'
import { groupCommitQueuedRunWriter } from '../../src/adapters/runs/queued-runs.writers'
import { createNotificationEvents } from '../../src/adapters/events/memory.notification-events'
import { createApiClient } from '../../src/client'
import type { AppDeps } from '../../src/deps'
import { createFixedClock } from '../../src/adapters/clock/system.clock'
import { silentLogger } from '@2bot/contracts/logger'
import { createRowCache } from '../../src/adapters/memo/memory.row-cache'
import { clonePglite } from './pglite-template'

export type TestContext = Awaited<ReturnType<typeof createTestContext>>

/** The app on a cloned PGlite with memory adapters and a hand-moved clock. */
export async function createTestContext(overrides: Partial<AppDeps> = {}) {
  const pglite = await clonePglite()
  const clock = createFixedClock(new Date())
  const mailer = createOutboxMailer(clock)
  const deps: AppDeps = {
    config: {
      environment: 'test',
      mode: 'local',
      version: 'test',
      corsOrigins: ['http://allowed.example'],
      publicUrl: 'http://2bot.test',
      rateLimits: { auth: { max: 10_000, windowSeconds: 60 } },
    },
    db: pglite.db,
    cache: createMemoryCache(clock) as Cache,
    queue: createLocalQueue(clock),
    mailer,
    billing: localBilling,
    workspaces: noWorkspaceDriver,
    clock,
    secrets: { encryptionKeys: { t1: 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdCE=' }, currentKeyId: 't1' },
    logger: silentLogger,
    clientIp: (c) => c.req.header('x-test-ip') ?? '127.0.0.1',
    devMailbox: mailer,
    executionEvents: createExecutionEvents(),
    notificationEvents: createNotificationEvents(),
    // As in the embedded home: runs queued together are committed in one statement.
    queuedRuns: groupCommitQueuedRunWriter(pglite.db),
    rowCache: createRowCache(),
    ...overrides,
  }
  const app = createApp(deps)
  return { app, deps, clock, mailer, db: pglite.db, close: pglite.close, agent: () => createAgent(app) }
}

/**
 * A browser-like client: keeps cookies, echoes the CSRF cookie, and exposes the typed API client.
 * `raw` sends anything (for malformed-input tests).
 */
export function createAgent(app: ReturnType<typeof createApp>) {
  const jar = new Map<string, string>()
  let bearer: string | undefined
  const fetcher = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    const method = (init.method ?? 'GET').toUpperCase()
    if (!['GET', 'HEAD'].includes(method) && jar.has('2bot_csrf') && !headers.has('x-csrf-token')) headers.set('x-csrf-token', jar.get('2bot_csrf')!)
    if (bearer && !headers.has('authorization')) headers.set('authorization', `Bearer ${bearer}`)
    const res = await app.request(input instanceof Request ? input.url : input.toString(), { ...init, headers })
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const [name, ...rest] = pair!.split('=')
      const value = rest.join('=')
      if (/max-age=0/i.test(cookie) || value === '') jar.delete(name!.trim())
      else jar.set(name!.trim(), value)
    }
    return res
  }
  return {
    api: createApiClient('http://localhost/api', { fetch: fetcher }),
    raw: (path: string, init?: RequestInit) => fetcher(`http://localhost${path}`, init),
    cookies: jar,
    useBearer(token: string | undefined) {
      bearer = token
    },
  }
}

export const STRONG_PASSWORD = 'Correct-Horse-9'

/** Registers a user through the API and returns the signed-in agent. */
export async function registerUser(ctx: TestContext, email = `user${Math.random().toString(36).slice(2, 8)}@example.com`, password = STRONG_PASSWORD) {
  const agent = ctx.agent()
  const res = await agent.api.auth.register.$post({ json: { email, password, name: 'Test User' } })
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`)
  const body = await res.json()
  return { agent, user: body.user, email, password }
}

/** A Telegram bot gateway of the agent's user (never contacted in route tests): its id, for definitions that name one. */
export async function createBotGateway(agent: ReturnType<typeof createAgent>, name = 'Bot'): Promise<string> {
  const res = await agent.api.gateways.$post({ json: { type: 'TELEGRAM_BOT', name, config: {}, credentials: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' } } })
  if (res.status !== 201) throw new Error(`gateway create failed: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { gateway: { id: string } }).gateway.id
}
