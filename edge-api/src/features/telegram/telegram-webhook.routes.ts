import { and, eq, isNull } from 'drizzle-orm'
import type { Update } from 'grammy/types'
import { Hono } from 'hono'
import * as v from 'valibot'
import { gateways } from '../../db/schema'
import type { AppEnv } from '../../env'
import { timingSafeEqual } from '../../lib/crypto'
import { AppError, notFound } from '../../lib/errors'
import { MAX_JSON_DEPTH, scanJson } from '../../lib/storable-json'
import { ingestTelegramUpdate } from './telegram-ingest.service'
import { TelegramUpdateShape } from './telegram-update'
import { telegramWebhookSecret } from './webhook-secret'

/**
 * `POST /api/webhooks/telegram/:gatewayId`: Telegram's webhook. The secret header proves the call
 * comes from the webhook we set; the runs are committed before the 200, and Telegram never waits
 * for them to finish.
 */
export const telegramWebhookRoutes = new Hono<AppEnv>().post('/:gatewayId', async (c) => {
  const deps = c.get('deps')
  const [gateway] = await deps.db
    .select()
    .from(gateways)
    .where(and(eq(gateways.id, c.req.param('gatewayId')), eq(gateways.type, 'TELEGRAM_BOT'), isNull(gateways.deletedAt)))
    .limit(1)
  if (!gateway) throw notFound('Gateway')
  const expected = await telegramWebhookSecret(deps.secrets, gateway.id)
  if (!timingSafeEqual(c.req.header('x-telegram-bot-api-secret-token') ?? '', expected)) {
    throw new AppError('UNAUTHORIZED', 'Wrong or missing Telegram secret token')
  }
  let update: Update
  try {
    update = (await c.req.json()) as Update
  } catch {
    throw new AppError('MALFORMED_JSON', 'The update is not valid JSON')
  }
  if (scanJson(update, MAX_JSON_DEPTH).tooDeep) throw new AppError('TOO_DEEP', `The update is nested deeper than ${MAX_JSON_DEPTH} levels`, { maxDepth: MAX_JSON_DEPTH })
  if (!v.is(TelegramUpdateShape, update)) throw new AppError('VALIDATION_FAILED', 'Not a Telegram update')
  const created = await ingestTelegramUpdate(deps, gateway, update)
  return c.json({ ok: true as const, executions: created.length })
})
