import type { Context, MiddlewareHandler } from 'hono'
import type { Billing } from './adapters/billing/billing.port'
import type { Cache } from './adapters/cache/cache.port'
import type { Mailer } from './adapters/mail/mailer.port'
import type { Queue } from './adapters/queue/queue.port'
import type { WorkspaceDriver } from './adapters/workspace/workspace-driver.port'
import type { Db } from './db/db'
import type { Clock } from './adapters/clock/clock.port'
import type { QueueReceiver } from './adapters/queue/queue-receiver.port'
import type { JobSignals } from './adapters/events/job-signals.port'
import type { ExecutionEvents } from './adapters/events/execution-events.port'
import type { NotificationEvents } from './adapters/events/notification-events.port'
import type { FinishedRunWriter } from './adapters/runs/finished-runs.port'
import type { QueuedRunWriter } from './adapters/runs/queued-runs.port'
import type { AiStreamer, GatewayProbe } from './adapters/gateways/gateway-probe.port'
import type { TelegramUpdatesConnector } from './adapters/telegram/telegram-updates.port'
import type { ImmutableMemo } from './adapters/memo/immutable-memo.port'
import type { RowCache } from './adapters/memo/row-cache.port'
import type { Logger } from '@2bot/contracts/logger'
import type { Secrets } from './adapters/secrets/secrets.port'

export interface RateLimit {
  max: number
  windowSeconds: number
}

export interface AppConfig {
  /** 'production' turns on HSTS and Secure cookies. */
  environment: 'development' | 'test' | 'production'
  /** 'local' is the embedded default (dev mailbox readable); 'cloud' is Workers. */
  mode: 'local' | 'cloud'
  version: string
  /** Origins allowed to call the API with credentials; same-origin needs no entry. */
  corsOrigins: string[]
  /** Where links in mails point, e.g. http://127.0.0.1:8080 */
  publicUrl: string
  rateLimits: { auth: RateLimit }
  /**
   * Runs one workspace has in flight at once (leases handed out beyond it wait). The cloud keeps
   * WORKFLOW_LIMITS.maxConcurrentRunsPerUser, a bulkhead between tenants; the embedded home raises it.
   */
  workspaceRunsAtOnce?: number
}

/** Everything the app needs from the outside world; each entry point builds its own. */
export interface AppDeps {
  config: AppConfig
  db: Db
  cache: Cache
  queue: Queue
  mailer: Mailer
  billing: Billing
  workspaces: WorkspaceDriver
  clock: Clock
  secrets: Secrets
  logger: Logger
  /** Tests gateway credentials with the runtime's clients; absent where they are not bundled. */
  gatewayProbe?: GatewayProbe
  /** Streams AI chat replies for the UI (server-sent events). */
  aiStreamer?: AiStreamer
  /** Starts and stops the flow of Telegram updates for a bot (webhook or long polling). */
  telegramUpdates?: TelegramUpdatesConnector
  /** Verifies QStash deliveries (cloud); without it the tick endpoint does not exist. */
  queueReceiver?: QueueReceiver
  /** Process memory for never-changing rows (versions, user → workspace); optional. */
  memo?: ImmutableMemo
  /** Process memory for rarely changing rows on hot paths; writers invalidate. Optional. */
  rowCache?: RowCache
  /**
   * Sessions and their users by token, for signed-in requests; defaults to `rowCache`. On Workers
   * it is the isolate's memory for SESSION_CACHE_SECONDS: a revocation or user change handled by
   * another isolate reaches this one only when the entry expires.
   */
  sessionCache?: RowCache
  /** In-process notice that jobs were queued, for runtimes waiting in a lease call. */
  jobSignals?: JobSignals
  /** In-process notice that an execution finished (optional: waiters also poll). */
  executionEvents?: ExecutionEvents
  /** In-process notice that a user's notifications changed (optional: the bell's stream also polls). */
  notificationEvents?: NotificationEvents
  /** Persists runs that finished in the request (pure synchronous webhooks); default: a transaction each. */
  finishedRuns?: FinishedRunWriter
  /** Queues runs for the workspace (the outbox); default: a statement each. The embedded home commits them in groups. */
  queuedRuns?: QueuedRunWriter
  /** The caller's address as the platform sees it (Workers: cf-connecting-ip; Node: the socket). */
  clientIp(c: Context): string | undefined
  /** Serves the built web app for non-API paths (Node entry only). */
  assets?: MiddlewareHandler
  /** Local mode only: lets the developer read the mails the app sent. */
  devMailbox?: { list(): readonly unknown[] }
}
