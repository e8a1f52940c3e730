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
import { AppError } from './lib/errors'
import { bodyLimit } from './middleware/body-limit.middleware'
import { WORKFLOW_LIMITS } from './contracts/workflow.contract'
import { onError, onNotFound } from './middleware/error-handler'
import { requestLog } from './middleware/request-log.middleware'
import { securityHeaders } from './middleware/security-headers.middleware'

export const MAX_BODY_BYTES = 1024 * 1024
/**
 * Runtime calls carry checkpoints: the run's state (its step outputs, at most maxRunDataBytes) plus
 * the held-back records travelling with it (outputs the state also holds), and some room.
 */
export const RUNTIME_MAX_BODY_BYTES = 2 * WORKFLOW_LIMITS.maxRunDataBytes + MAX_BODY_BYTES

/** The API's routes. Kept apart from the middleware so `AppType` describes exactly the endpoints. */
function apiRoutes() {
  return new Hono<AppEnv>()
    .route('/health', healthRoutes)
    .route('/auth', authRoutes)
    .route('/users', usersRoutes)
    .route('/api-keys', apiKeysRoutes)
    .route('/gateways', gatewaysRoutes)
    .route('/user/services', servicesRoutes)
    .route('/user/plugins', userPluginsRoutes)
    .route('/marketplace', marketplaceRoutes)
    .route('/dashboard', dashboardRoutes)
    .route('/notifications', notificationsRoutes)
    .route('/workspace', workspaceRoutes)
    .route('/billing', billingRoutes)
    .route('/runtime', runtimeRoutes)
    .route('/webhooks/service', serviceWebhookRoutes)
    .route('/webhooks/telegram', telegramWebhookRoutes)
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
  const userBodies = bodyLimit(MAX_BODY_BYTES, () => {
    throw new AppError('PAYLOAD_TOO_LARGE', 'The request body is larger than 1 MB')
  })
  const runtimeBodies = bodyLimit(RUNTIME_MAX_BODY_BYTES, () => {
    throw new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${RUNTIME_MAX_BODY_BYTES / 2 ** 20} MB`)
  })
  app.use('/api/*', (c, next) => (c.req.path.startsWith('/api/runtime/') ? runtimeBodies(c, next) : userBodies(c, next)))
  app.route('/api', apiRoutes())
  app.all('/api/*', onNotFound)
  if (deps.assets) app.use('*', deps.assets)
  return app
}

export type AppType = ReturnType<typeof apiRoutes>
export type { AppDeps } from './deps'
