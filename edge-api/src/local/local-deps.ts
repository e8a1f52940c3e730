import { mkdir, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getConnInfo } from '@hono/node-server/conninfo'
import ws from 'ws'
import { localBilling } from '../adapters/billing/billing.port'
import type { Cache } from '../adapters/cache/cache.port'
import { createMemoryCache } from '../adapters/cache/memory.cache'
import { createUpstashCache } from '../adapters/cache/upstash.cache'
import { createOutboxMailer } from '../adapters/mail/outbox.mailer'
import { createLocalQueue } from '../adapters/queue/local.queue'
import { createQStashQueue } from '../adapters/queue/qstash.queue'
import type { Queue } from '../adapters/queue/queue.port'
import { DESKTOP_ORIGIN, type LocalConfig } from '../config/local-config'
import type { Db } from '../db/db'
import { openNeon } from '../db/neon'
import { openPglite } from '../db/pglite'
import type { AppDeps } from '../deps'
import { systemClock } from '../adapters/clock/system.clock'
import { createJsonLogger } from '@2bot/contracts/logger'
import { loadLocalSecrets } from './local-secrets'
import { createLocalWorkspaceDriver } from './local-workspace-driver'
import { createExecutionEvents } from '../adapters/events/memory.execution-events'
import { createNotificationEvents } from '../adapters/events/memory.notification-events'
import { createJobSignals } from '../adapters/events/memory.job-signals'
import { createImmutableMemo } from '../adapters/memo/memory.immutable-memo'
import { createRowCache } from '../adapters/memo/memory.row-cache'
import { groupCommitRunWriter } from '../adapters/runs/finished-runs.writers'
import { groupCommitQueuedRunWriter } from '../adapters/runs/queued-runs.writers'
import { createRuntimeAiStreamer, createRuntimeGatewayProbe } from '../adapters/gateways/runtime-gateway.probe'
import { createGuardedHttpClient } from '@2bot/runtime'
import { createTelegramPollingConnector } from '../adapters/telegram/polling.connector'
import { ingestTelegramUpdate } from '../features/telegram/telegram-ingest.service'
import { gateways } from '../db/schema'
import { eq } from 'drizzle-orm'
import { webAssets } from './web-assets'

/** The checkout's root, found upwards from this module: it runs from src/local/ or bundled into dist/ (`pnpm start`). */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`)
  }
}
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)))
export const MIGRATIONS_DIR = join(REPO_ROOT, 'migrations')

export interface LocalRuntime {
  deps: AppDeps
  /** Tells the workspace driver where the API listens (the port is known only after listen). */
  setApiUrl(url: string): void
  /** Reclaims the embedded database's dead rows (PGlite has no autovacuum); absent on PostgreSQL, which vacuums itself. */
  maintainDatabase?: () => Promise<void>
  /** Which adapter each port uses, for the start-up banner. */
  adapters: Record<'database' | 'cache' | 'queue' | 'billing' | 'workspaces', string>
  close(): Promise<void>
}

/** Builds the embedded platform: PGlite, memory cache, local queue, outbox mail. Cloud adapters by config. */
export async function createLocalRuntime(config: LocalConfig): Promise<LocalRuntime> {
  const clock = systemClock
  const dataDir = config.DATA_DIR ?? join(REPO_ROOT, '.data')
  await mkdir(dataDir, { recursive: true })

  let db: Db
  let closeDb: () => Promise<void>
  let maintainDatabase: (() => Promise<void>) | undefined
  let database: string
  if (config.DATABASE_URL) {
    const neon = openNeon({ connectionString: config.DATABASE_URL, wsProxy: config.NEON_WS_PROXY, webSocketConstructor: ws })
    db = neon.db
    closeDb = () => neon.pool.end()
    database = 'postgres (neon driver)'
  } else {
    const pglite = await openPglite({ dataDir: join(dataDir, 'pglite'), migrationsFolder: MIGRATIONS_DIR })
    db = pglite.db
    closeDb = pglite.close
    maintainDatabase = pglite.vacuum
    database = `pglite (${join(dataDir, 'pglite')})`
  }

  const upstash = config.UPSTASH_REDIS_REST_URL && config.UPSTASH_REDIS_REST_TOKEN
  const cache: Cache = upstash
    ? createUpstashCache({ url: config.UPSTASH_REDIS_REST_URL!, token: config.UPSTASH_REDIS_REST_TOKEN! })
    : createMemoryCache(clock)
  const publicUrl = config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`
  const queue: Queue = config.QSTASH_TOKEN
    ? createQStashQueue({ token: config.QSTASH_TOKEN, baseUrl: config.QSTASH_URL, publicUrl })
    : createLocalQueue(clock)

  const outboxDir = join(dataDir, 'outbox')
  const mailer = createOutboxMailer(clock, async (mail) => {
    await mkdir(outboxDir, { recursive: true })
    await writeFile(join(outboxDir, `${mail.sentAt.replace(/[:.]/g, '-')}-${mail.id}.json`), JSON.stringify(mail, null, 2))
  })

  const logger = createJsonLogger({ minLevel: config.LOG_LEVEL })
  let apiUrl = publicUrl
  const [portsFrom, portsTo] = config.WORKSPACE_HEALTH_PORTS.split('-').map(Number) as [number, number]
  const { driver: workspaceDriver, description: workspacesDescription, runsAtOnce } = await createLocalWorkspaceDriver({
    mode: config.WORKSPACE_DRIVER,
    socketPath: config.DOCKER_SOCKET,
    image: config.WORKSPACE_IMAGE,
    healthPorts: { from: portsFrom, to: portsTo },
    // The runtime accepts 10 s and more; the platform keeps one sample per 30 s at most.
    usageReportSeconds: Math.max(10, config.WORKSPACE_SAMPLE_SECONDS),
    repoRoot: REPO_ROOT,
    apiUrl: () => apiUrl,
    logger,
    db,
    runsAtOnce: config.WORKSPACE_MAX_RUNS,
    env: {
      ...(config.TELEGRAM_API_ROOT ? { TELEGRAM_API_ROOT: config.TELEGRAM_API_ROOT } : {}),
      ...(config.WORKSPACE_LEASE_SECONDS ? { TWOBOT_LEASE_SECONDS: config.WORKSPACE_LEASE_SECONDS } : {}),
      ...(config.WORKSPACE_CODE_MEMORY_MB ? { TWOBOT_CODE_MEMORY_MB: config.WORKSPACE_CODE_MEMORY_MB } : {}),
      ...(config.WORKSPACE_ISOLATION ? { TWOBOT_ISOLATION: config.WORKSPACE_ISOLATION } : {}),
    },
  })

  const telegramUpdates = createTelegramPollingConnector({
    apiRoot: config.TELEGRAM_API_ROOT,
    logger,
    ingest: async (gatewayId, update) => {
      const [gateway] = await db.select().from(gateways).where(eq(gateways.id, gatewayId)).limit(1)
      if (gateway) await ingestTelegramUpdate(deps, gateway, update)
    },
  })

  const deps: AppDeps = {
    config: {
      environment: config.APP_ENV,
      mode: 'local',
      version: process.env.npm_package_version ?? '0.1.0',
      corsOrigins: [DESKTOP_ORIGIN, ...config.CORS_ORIGINS],
      publicUrl,
      rateLimits: { auth: { max: config.AUTH_RATE_LIMIT_PER_MINUTE, windowSeconds: 60 } },
      workspaceRunsAtOnce: runsAtOnce,
    },
    db,
    cache,
    queue,
    mailer,
    billing: localBilling,
    workspaces: workspaceDriver,
    clock,
    secrets: await loadLocalSecrets(dataDir, config.ENCRYPTION_KEY),
    logger,
    executionEvents: createExecutionEvents(),
    notificationEvents: createNotificationEvents(),
    jobSignals: createJobSignals(),
    memo: createImmutableMemo(),
    rowCache: createRowCache(),
    finishedRuns: groupCommitRunWriter(db),
    queuedRuns: groupCommitQueuedRunWriter(db),
    gatewayProbe: createRuntimeGatewayProbe({
      telegramApiRoot: config.TELEGRAM_API_ROOT,
      webhookHttp: (optedIn) => createGuardedHttpClient({ allowPrivateNetworks: optedIn }),
    }),
    aiStreamer: createRuntimeAiStreamer(),
    telegramUpdates,
    clientIp: (c) => {
      try {
        return getConnInfo(c).remote.address
      } catch {
        return undefined
      }
    },
    assets: webAssets(config.WEB_DIST ?? join(REPO_ROOT, 'web', 'dist')),
    devMailbox: mailer,
  }
  return {
    deps,
    maintainDatabase,
    adapters: {
      database,
      cache: upstash ? 'upstash redis' : 'memory',
      queue: config.QSTASH_TOKEN ? 'qstash' : 'local (in process)',
      billing: 'local plan switch',
      workspaces: `${workspacesDescription}, ${runsAtOnce} runs at once each`,
    },
    setApiUrl: (url) => {
      apiUrl = url
    },
    close: async () => {
      telegramUpdates.stopAll()
      await workspaceDriver.stopAll()
      await closeDb()
    },
  }
}
