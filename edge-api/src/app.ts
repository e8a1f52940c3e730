import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { requestId } from 'hono/request-id'
import type { AppDeps } from './deps'
import type { AppEnv } from './env'
import { apiKeysRoutes } from './features/api-keys/api-keys.routes'
import { authRoutes } from './features/auth/auth.routes'
import { billingRoutes } from './features/billing/billing.routes'
import { CSRF_HEADER } from './features/auth/cookies'
import { dashboardRoutes } from './features/dashboard/dashboard.routes'
import { devRoutes } from './features/dev/dev.routes'
import { gatewaysRoutes } from './features/gateways/gateways.routes'
import { healthRoutes } from './features/health/health.routes'
import { notificationsRoutes } from './features/notifications/notifications.routes'
import { marketplaceRoutes } from './features/plugins/marketplace.routes'
import { userPluginsRoutes } from './features/plugins/plugins.routes'
import { queueTickRoutes } from './features/queue/queue-tick.routes'
import { runtimeRoutes } from './features/runtime/runtime.routes'
import { workspaceRoutes } from './features/workspaces/workspaces.routes'
import { servicesRoutes } from './features/services/services.routes'
import { telegramWebhookRoutes } from './features/telegram/telegram-webhook.routes'
import { serviceWebhookRoutes } from './features/webhooks/service-webhook.routes'
import { usersRoutes } from './features/users/users.routes'
import { KB, maxBody, MB } from './middleware/body-limit.middleware'
import { WORKFLOW_LIMITS } from '@2bot/contracts'
import { onError, onNotFound } from './middleware/error-handler'
import { storableUrl } from './middleware/storable-url.middleware'
import { jsonInput } from './middleware/validate'
import { requestLog } from './middleware/request-log.middleware'
import { securityHeaders } from './middleware/security-headers.middleware'

/** The most any request outside the runtime's may carry: a ceiling under every family's own limit. */
export const MAX_BODY_BYTES = MB
/**
 * Runtime calls carry checkpoints: the run's state (its records, at most maxRunDataBytes) plus
 * the held-back records travelling with it (records the state also holds), and some room.
 */
export const RUNTIME_MAX_BODY_BYTES = 2 * WORKFLOW_LIMITS.maxRunDataBytes + MAX_BODY_BYTES
/**
 * Runtime calls carry step outputs (the engine refuses one nested deeper than maxOutputDepth) a
 * few levels down a checkpoint, and text from outside (messages, HTTP responses, user code): it is
 * stored with U+FFFD for what PostgreSQL cannot hold, so a step record is never lost to it.
 */
export const RUNTIME_JSON = { maxDepth: WORKFLOW_LIMITS.maxOutputDepth + 8, text: 'normalise' } as const

/**
 * The API's routes, each family with the largest body it needs (413 beyond, naming the limit).
 * Kept apart from the middleware so `AppType` describes exactly the endpoints.
 */
function apiRoutes() {
  return new Hono<AppEnv>()
    .route('/health', healthRoutes)
    // Emails, passwords, tokens, names: a few hundred bytes each.
    .use('/auth/*', maxBody(16 * KB))
    .route('/auth', authRoutes)
    .use('/users/*', maxBody(16 * KB))
    .route('/users', usersRoutes)
    .use('/api-keys/*', maxBody(16 * KB))
    .route('/api-keys', apiKeysRoutes)
    // An AI gateway's chat carries the conversation so far.
    .use('/gateways/*', maxBody(MB))
    .route('/gateways', gatewaysRoutes)
    // Workflow definitions, and a step's test run with pinned outputs of earlier steps.
    .use('/user/services/*', maxBody(MB))
    .route('/user/services', servicesRoutes)
    // A plugin's settings: its config fields are at most 10,000 characters each.
    .use('/user/plugins/*', maxBody(256 * KB))
    .route('/user/plugins', userPluginsRoutes)
    .route('/marketplace', marketplaceRoutes)
    // At most 24 widgets and their settings.
    .use('/dashboard/*', maxBody(64 * KB))
    .route('/dashboard', dashboardRoutes)
    .use('/notifications/*', maxBody(16 * KB))
    .route('/notifications', notificationsRoutes)
    .use('/workspace/*', maxBody(16 * KB))
    .route('/workspace', workspaceRoutes)
    .use('/billing/*', maxBody(16 * KB))
    .route('/billing', billingRoutes)
    .use('/runtime/*', maxBody(RUNTIME_MAX_BODY_BYTES), jsonInput(RUNTIME_JSON))
    .route('/runtime', runtimeRoutes)
    // A caller's payload for the workflow, as the trigger's `body`.
    .use('/webhooks/service/*', maxBody(MB))
    .route('/webhooks/service', serviceWebhookRoutes)
    .use('/webhooks/telegram/*', maxBody(MB))
    .route('/webhooks/telegram', telegramWebhookRoutes)
    // QStash's deliveries are a few hundred bytes.
    .use('/queue/*', maxBody(64 * KB))
    .route('/queue', queueTickRoutes)
    .route('/dev', devRoutes)
}

/**
 * The whole HTTP API, with its dependencies passed in. The Workers entry and the Node entry
 * build different `deps` and the same app.
 */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  app.onError(onError)
  app.notFound(onNotFound)
  app.use(
    requestId({ limitLength: 128 }),
    async (c, next) => {
      c.set('deps', deps)
      await next()
    },
    requestLog,
    securityHeaders(deps.config),
  )
  app.use(
    '/api/*',
    cors({
      origin: (origin) => (deps.config.corsOrigins.includes(origin) ? origin : null),
      credentials: true,
      allowHeaders: ['Content-Type', 'Authorization', 'X-API-Key', 'X-Request-Id', CSRF_HEADER],
      exposeHeaders: ['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'Retry-After'],
      allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      maxAge: 86400,
    }),
  )
  // The ceiling for anything a family does not declare (and for unknown paths).
  const userBodies = maxBody(MAX_BODY_BYTES)
  const runtimeBodies = maxBody(RUNTIME_MAX_BODY_BYTES)
  app.use('/api/*', (c, next) => (c.req.path.startsWith('/api/runtime/') ? runtimeBodies(c, next) : userBodies(c, next)))
  app.use('/api/*', storableUrl)
  app.route('/api', apiRoutes())
  app.all('/api/*', onNotFound)
  if (deps.assets) app.use('*', deps.assets)
  return app
}

export type AppType = ReturnType<typeof apiRoutes>
export type { AppDeps } from './deps'
