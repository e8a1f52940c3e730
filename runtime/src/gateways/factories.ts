import type { GatewayFactories } from '../worker/gateway-invoker'
import { createAiGateway } from './ai/index'
import type { GatewayClient } from './gateway-client'
import { createTelegramBotGateway } from './telegram-bot/index'
import { createGuardedHttpClient } from '../net/guarded-http'
import { createWebhookGateway, type WebhookAuth } from './webhook/webhook.gateway'

export type { GatewayClient, GatewayTestResult } from './gateway-client'

/**
 * Every gateway type the runtime can run, each built from its config and decrypted credentials.
 * The platform uses the same factories for "test connection".
 */
export function gatewayFactories(opts: { telegramApiRoot?: string; allowPrivateOptIn?: boolean } = {}): GatewayFactories {
  return {
    // Private networks only where the platform allows opting in (local mode) and the gateway did.
    WEBHOOK: (config, credentials) =>
      createWebhookGateway(config as { baseUrl: string }, credentials as WebhookAuth, createGuardedHttpClient({ allowPrivateNetworks: Boolean(opts.allowPrivateOptIn && config.allowPrivateNetwork) })),
    TELEGRAM_BOT: (_config, credentials) =>
      createTelegramBotGateway(credentials as { botToken: string }, opts.telegramApiRoot ? { apiRoot: opts.telegramApiRoot } : {}),
    AI: (config, credentials) => createAiGateway(config as never, credentials as never),
  }
}

export function gatewayClient(factories: GatewayFactories, type: string, config: Record<string, unknown>, credentials: Record<string, unknown>): GatewayClient | undefined {
  return factories[type]?.(config, credentials)
}
