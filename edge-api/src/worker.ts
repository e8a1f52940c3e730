/**
 * The Workers entry: Neon over WebSocket, Upstash Redis, QStash. Bindings are parsed once per
 * isolate; the database pool lives for one request (Workers cannot keep sockets across requests).
 */
import { unconfiguredBilling } from './adapters/billing/billing.port'
import type { Cache } from './adapters/cache/cache.port'
import { createMemoryCache } from './adapters/cache/memory.cache'
import { createUpstashCache } from './adapters/cache/upstash.cache'
import { createRowCache } from './adapters/memo/memory.row-cache'
import type { RowCache } from './adapters/memo/row-cache.port'
import type { Mailer } from './adapters/mail/mailer.port'
import { createQStashQueue } from './adapters/queue/qstash.queue'
import type { Queue } from './adapters/queue/queue.port'
import { noWorkspaceDriver } from './adapters/workspace/workspace-driver.port'
import { createApp } from './app'
import { parseWorkerEnv, type WorkerConfig, type WorkerConfigResult } from './config/worker-config'
import { openNeon } from './db/neon'
import type { AppDeps } from './deps'
import { systemClock } from './adapters/clock/system.clock'
import { createJsonLogger, type Logger } from '@2bot/contracts/logger'
import { createRuntimeAiStreamer, createRuntimeGatewayProbe } from './adapters/gateways/runtime-gateway.probe'
import { createTelegramWebhookConnector } from './adapters/telegram/webhook.connector'
import { createQStashReceiver } from './adapters/queue/qstash.receiver'
import { createNomadApi, createNomadDriver } from '@2bot/nomad'
import { eq } from 'drizzle-orm'
import type { WorkspaceDriver } from './adapters/workspace/workspace-driver.port'
import { organizations, users, workspaces as workspaceRows } from './db/schema'

/** What lives as long as the isolate: the parsed bindings and the clients built from them. */
interface Isolate {
  env: unknown
  config: WorkerConfigResult
  logger: Logger
  cache?: Cache
  sessionCache?: RowCache
}
let isolate: Isolate | undefined

function isolateFor(env: unknown): Isolate {
  if (!isolate || isolate.env !== env) {
    const config = parseWorkerEnv(env)
    isolate = { env, config, logger: createJsonLogger({ minLevel: config.ok ? config.config.LOG_LEVEL : 'info' }) }
  }
  return isolate
}

/** Mail in the cloud is sent by a provider adapter (not yet chosen); until then it is logged without the body. */
const loggingMailer = (logger: Logger): Mailer => ({
  async send(mail) {
    logger.log('warn', 'mail not sent: no mail provider configured', { to: mail.to, subject: mail.subject })
  },
})

const unconfiguredQueue: Queue = {
  async publish() {
    throw new Error('QStash is not configured (QSTASH_TOKEN)')
  },
  async ping() {
    throw new Error('QStash is not configured (QSTASH_TOKEN)')
  },
}

/**
 * Nomad workspaces when NOMAD_ADDR is bound (WORKSPACE_IMAGE is then required): each workspace is
 * a Nomad job sized by its owner's plan, reaching the API at PUBLIC_URL. See docs/operations.md.
 */
function nomadWorkspaces(config: WorkerConfig, db: AppDeps['db'], logger: Logger): WorkspaceDriver {
  if (!config.NOMAD_ADDR || !config.WORKSPACE_IMAGE) return noWorkspaceDriver
  const scope = {
    ...(config.NOMAD_REGION ? { region: config.NOMAD_REGION } : {}),
    ...(config.NOMAD_NAMESPACE ? { namespace: config.NOMAD_NAMESPACE } : {}),
  }
  return createNomadDriver({
    api: createNomadApi({ addr: config.NOMAD_ADDR, ...(config.NOMAD_TOKEN ? { token: config.NOMAD_TOKEN } : {}), ...scope }),
    image: config.WORKSPACE_IMAGE,
    apiUrl: config.PUBLIC_URL,
    ...scope,
    ...(config.NOMAD_CPU_MHZ_PER_VCPU ? { cpuMhzPerVcpu: config.NOMAD_CPU_MHZ_PER_VCPU } : {}),
    logger,
    describeWorkspace: async (workspaceId) => {
      const [row] = await db
        .select({ userId: workspaceRows.userId, organizationId: workspaceRows.organizationId, userPlan: users.plan, orgPlan: organizations.plan })
        .from(workspaceRows)
        .leftJoin(users, eq(users.id, workspaceRows.userId))
        .leftJoin(organizations, eq(organizations.id, workspaceRows.organizationId))
        .where(eq(workspaceRows.id, workspaceId))
        .limit(1)
      if (!row) throw new Error(`no workspace ${workspaceId}`)
      return { userId: row.userId, organizationId: row.organizationId, plan: row.orgPlan ?? row.userPlan ?? 'FREE' }
    },
  })
}

function cloudDeps(config: WorkerConfig, current: Isolate, db: AppDeps['db']): AppDeps {
  // Without Upstash the limits are per isolate: acceptable for a preview, not for production.
  current.cache ??=
    config.UPSTASH_REDIS_REST_URL && config.UPSTASH_REDIS_REST_TOKEN
      ? createUpstashCache({ url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN })
      : createMemoryCache(systemClock)
  if (config.SESSION_CACHE_SECONDS) current.sessionCache ??= createRowCache({ ttlMs: config.SESSION_CACHE_SECONDS * 1000 })
  return {
    config: {
      environment: config.APP_ENV,
      mode: 'cloud',
      version: '0.1.0',
      corsOrigins: config.CORS_ORIGINS,
      publicUrl: config.PUBLIC_URL,
      rateLimits: { auth: { max: config.AUTH_RATE_LIMIT_PER_MINUTE, windowSeconds: 60 } },
    },
    db,
    cache: current.cache,
    ...(current.sessionCache ? { sessionCache: current.sessionCache } : {}),
    queue: config.QSTASH_TOKEN
      ? createQStashQueue({ token: config.QSTASH_TOKEN, baseUrl: config.QSTASH_URL, publicUrl: config.PUBLIC_URL })
      : unconfiguredQueue,
    mailer: loggingMailer(current.logger),
    // Never localBilling here: it switches plans without payment, which would make every paid plan free on a shared deployment.
    billing: unconfiguredBilling,
    workspaces: nomadWorkspaces(config, db, current.logger),
    clock: systemClock,
    secrets: { encryptionKeys: { k1: config.ENCRYPTION_KEY }, currentKeyId: 'k1' },
    logger: current.logger,
    clientIp: (c) => c.req.header('cf-connecting-ip'),
    gatewayProbe: createRuntimeGatewayProbe(),
    aiStreamer: createRuntimeAiStreamer(),
    telegramUpdates: createTelegramWebhookConnector({ publicUrl: config.PUBLIC_URL }),
    ...(config.QSTASH_CURRENT_SIGNING_KEY && config.QSTASH_NEXT_SIGNING_KEY
      ? { queueReceiver: createQStashReceiver({ current: config.QSTASH_CURRENT_SIGNING_KEY, next: config.QSTASH_NEXT_SIGNING_KEY }) }
      : {}),
  }
}

/** Neon's HTTP endpoint for one-shot queries where there is one (see NEON_QUERIES). */
function neonHttp(config: WorkerConfig): true | string | undefined {
  const http = config.NEON_QUERIES ? config.NEON_QUERIES === 'http' : !!config.NEON_HTTP_ENDPOINT || !config.NEON_WS_PROXY
  if (!http) return undefined
  return config.NEON_HTTP_ENDPOINT ?? true
}

export default {
  async fetch(request: Request, env: unknown, ctx: ExecutionContext): Promise<Response> {
    const current = isolateFor(env)
    if (!current.config.ok) {
      current.logger.log('error', 'bad environment', { issues: current.config.issues })
      return Response.json(
        {
          error: {
            code: 'BAD_ENVIRONMENT',
            message: 'The server is misconfigured',
            details: current.config.issues.map((i) => i.variable),
            requestId: crypto.randomUUID(),
          },
        },
        { status: 500 },
      )
    }
    const config = current.config.config
    const { db, pool } = openNeon({ connectionString: config.DATABASE_URL, wsProxy: config.NEON_WS_PROXY, http: neonHttp(config) })
    try {
      return await createApp(cloudDeps(config, current, db)).fetch(request, env, ctx)
    } finally {
      ctx.waitUntil(pool.end())
    }
  },
} satisfies ExportedHandler
