import { Api } from 'grammy'
import type { Update } from 'grammy/types'
import type { TelegramUpdatesConnector } from './telegram-updates.port'
import type { Logger } from '@2bot/contracts/logger'

export interface PollingOptions {
  apiRoot?: string
  /** Hands one update to the platform; resolves once its runs are committed. */
  ingest(gatewayId: string, update: Update): Promise<void>
  logger: Logger
  timeoutSeconds?: number
}

/**
 * Embedded mode: no public URL for a webhook, so the platform long-polls each connected bot. The
 * offset advances only after an update's runs are committed (at-least-once; duplicates are
 * dropped by the update id).
 */
export function createTelegramPollingConnector(opts: PollingOptions): TelegramUpdatesConnector & { stopAll(): void; active(): string[] } {
  const loops = new Map<string, AbortController>()

  async function poll(gatewayId: string, api: Api, signal: AbortSignal) {
    let offset: number | undefined
    let failures = 0
    while (!signal.aborted) {
      try {
        const updates = await api.getUpdates({ offset, timeout: opts.timeoutSeconds ?? 25, allowed_updates: ['message', 'edited_message', 'callback_query', 'channel_post'] }, signal as never)
        failures = 0
        for (const update of updates) {
          await opts.ingest(gatewayId, update)
          offset = update.update_id + 1
        }
      } catch (err) {
        if (signal.aborted) return
        failures++
        opts.logger.log('warn', 'telegram polling failed', { gatewayId, error: err })
        await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * 2 ** Math.min(failures, 5))))
      }
    }
  }

  return {
    async connect(gateway, botToken) {
      loops.get(gateway.id)?.abort()
      const api = new Api(botToken, opts.apiRoot ? { apiRoot: opts.apiRoot } : undefined)
      // Polling and a webhook cannot both be active for one bot.
      await api.deleteWebhook()
      const controller = new AbortController()
      loops.set(gateway.id, controller)
      void poll(gateway.id, api, controller.signal)
    },
    async disconnect(gateway) {
      loops.get(gateway.id)?.abort()
      loops.delete(gateway.id)
    },
    stopAll() {
      for (const c of loops.values()) c.abort()
      loops.clear()
    },
    active: () => [...loops.keys()],
  }
}
