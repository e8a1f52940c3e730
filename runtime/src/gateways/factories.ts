import type { GatewayFactories } from '../worker/gateway-invoker'
import { createAiGateway } from './ai/index'
import type { GatewayClient } from './gateway-client'
import { createTelegramBotGateway } from './telegram-bot/index'
import type { HttpClient } from '../engine/types'
import { cappedFetch } from '../net/capped-fetch'
import { createWebhookGateway, type WebhookAuth } from './webhook/webhook.gateway'

export type { GatewayClient, GatewayTestResult } from './gateway-client'

/**
 * Every gateway type the runtime can run, each built from its config and decrypted credentials.
 * The platform uses the same factories for "test connection".
 */
export interface GatewayFactoryOptions {
  telegramApiRoot?: string
  /**
   * The HTTP client for WEBHOOK gateways, given whether this gateway opted in to private networks.
   * Node passes the guarded client (runtime/src/net); where none is given (Workers), WEBHOOK
   * gateways are not offered. Keeping it injected keeps this module free of Node-only imports.
   */
  webhookHttp?: (gatewayAllowsPrivate: boolean) => HttpClient
  /** The largest answer an AI provider may send (default 8 MB: one allocation beyond a gateway thread's headroom would end the process, not the thread); a larger one fails its step. */
  maxAiAnswerBytes?: number
}

const DEFAULT_MAX_AI_ANSWER_BYTES = 8 * 2 ** 20

export function gatewayFactories(opts: GatewayFactoryOptions = {}): GatewayFactories {
  const webhookHttp = opts.webhookHttp
  return {
    ...(webhookHttp
      ? { WEBHOOK: (config, credentials) => createWebhookGateway(config as { baseUrl: string }, credentials as WebhookAuth, webhookHttp(config.allowPrivateNetwork === true)) }
      : {}),
    TELEGRAM_BOT: (_config, credentials) =>
      createTelegramBotGateway(credentials as { botToken: string }, opts.telegramApiRoot ? { apiRoot: opts.telegramApiRoot } : {}),
    AI: (config, credentials) => createAiGateway(config as never, credentials as never, { fetch: cappedFetch(opts.maxAiAnswerBytes ?? DEFAULT_MAX_AI_ANSWER_BYTES) }),
  }
}

export function gatewayClient(factories: GatewayFactories, type: string, config: Record<string, unknown>, credentials: Record<string, unknown>): GatewayClient | undefined {
  return factories[type]?.(config, credentials)
}
