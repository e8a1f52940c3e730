import { eq } from 'drizzle-orm'
import type { AppDeps } from '../../deps'
import { gateways } from '../../db/schema'
import { AppError } from '../../lib/errors'
import { storableText } from '../../lib/storable-json'
import { notifyGatewayError } from '../notifications/notifications.service'
import { telegramWebhookSecret } from '../telegram/webhook-secret'
import { forgetGatewayStamp } from './gateway-stamps'
import { forgetGatewayList, gatewayCredentials, type Gateway } from './gateways.service'

type TestResult = { ok: boolean; info?: Record<string, unknown>; error?: string }

async function save(deps: AppDeps, id: string, set: Partial<typeof gateways.$inferInsert>): Promise<Gateway> {
  const [row] = await deps.db.update(gateways).set({ ...set, updatedAt: deps.clock.now() }).where(eq(gateways.id, id)).returning()
  forgetGatewayStamp(deps, id)
  forgetGatewayList(deps, row!.userId)
  return row!
}

/** Tries the credentials against the real service; the result and the gateway's health are saved. */
export async function testGateway(deps: AppDeps, gateway: Gateway): Promise<{ result: TestResult; gateway: Gateway }> {
  if (!deps.gatewayProbe) throw new AppError('BAD_REQUEST', 'Testing gateways is not available in this deployment')
  const credentials = await gatewayCredentials(deps, gateway)
  let result: TestResult
  try {
    result = await deps.gatewayProbe.test(gateway.type, gateway.config, credentials, AbortSignal.timeout(15_000))
  } catch (err) {
    result = { ok: false, error: err instanceof Error ? err.message : 'The test failed' }
  }
  // The answer comes from a server the user chose (a custom AI base URL): stored with U+FFFD for what PostgreSQL cannot hold.
  const username = typeof result.info?.username === 'string' ? storableText(result.info.username) : undefined
  const updated = await save(deps, gateway.id, {
    lastError: result.ok ? null : storableText((result.error ?? 'The test failed').slice(0, 500)),
    ...(result.ok ? { lastActive: deps.clock.now() } : { status: gateway.status === 'CONNECTED' ? 'ERROR' : gateway.status }),
    ...(username ? { config: { ...gateway.config, username } } : {}),
  })
  // A working gateway that stopped working is news; a failed first test is already on screen.
  if (gateway.status === 'CONNECTED' && updated.status === 'ERROR') await notifyGatewayError(deps, updated)
  return { result, gateway: updated }
}

/**
 * Connect: test, then (Telegram bots) let the platform own the bot's updates — webhook in the
 * cloud, long polling locally. A failed test leaves the gateway disconnected with the reason.
 */
export async function connectGateway(deps: AppDeps, gateway: Gateway): Promise<{ result: TestResult; gateway: Gateway }> {
  const tested = await testGateway(deps, gateway)
  if (!tested.result.ok) return { result: tested.result, gateway: await save(deps, gateway.id, { status: 'ERROR' }) }
  if (gateway.type === 'TELEGRAM_BOT') {
    if (!deps.telegramUpdates) throw new AppError('BAD_REQUEST', 'Receiving Telegram updates is not available in this deployment')
    const { botToken } = await gatewayCredentials<{ botToken: string }>(deps, gateway)
    try {
      await deps.telegramUpdates.connect(tested.gateway, botToken, await telegramWebhookSecret(deps.secrets, gateway.id))
    } catch (err) {
      const error = err instanceof Error ? err.message : 'Could not receive updates'
      return { result: { ok: false, error }, gateway: await save(deps, gateway.id, { status: 'ERROR', lastError: error.slice(0, 500) }) }
    }
  }
  return { result: tested.result, gateway: await save(deps, gateway.id, { status: 'CONNECTED', lastError: null }) }
}

export async function disconnectGateway(deps: AppDeps, gateway: Gateway): Promise<Gateway> {
  if (gateway.type === 'TELEGRAM_BOT' && deps.telegramUpdates) {
    const { botToken } = await gatewayCredentials<{ botToken: string }>(deps, gateway)
    await deps.telegramUpdates.disconnect(gateway, botToken).catch((err: unknown) => deps.logger.log('warn', 'telegram disconnect failed', { gatewayId: gateway.id, error: err }))
  }
  return save(deps, gateway.id, { status: 'DISCONNECTED' })
}
