import { Api } from 'grammy'
import type { TelegramUpdatesConnector } from './telegram-updates.port'

/** Cloud: Telegram pushes updates to the platform's webhook, with the secret header we set. */
export function createTelegramWebhookConnector(opts: { publicUrl: string; apiRoot?: string }): TelegramUpdatesConnector {
  const api = (token: string) => new Api(token, opts.apiRoot ? { apiRoot: opts.apiRoot } : undefined)
  return {
    async connect(gateway, botToken, webhookSecret) {
      await api(botToken).setWebhook(`${opts.publicUrl.replace(/\/$/, '')}/api/webhooks/telegram/${gateway.id}`, {
        secret_token: webhookSecret,
        allowed_updates: ['message', 'edited_message', 'callback_query', 'channel_post'],
      })
    },
    async disconnect(_gateway, botToken) {
      await api(botToken).deleteWebhook()
    },
  }
}
