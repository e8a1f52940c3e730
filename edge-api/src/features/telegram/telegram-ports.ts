/** "Test connection" for any gateway type: the same clients the runtime uses for steps. */
export interface GatewayProbe {
  test(type: string, config: Record<string, unknown>, credentials: Record<string, unknown>, signal?: AbortSignal): Promise<{ ok: boolean; info?: Record<string, unknown>; error?: string }>
}

/**
 * Keeps a bot's updates flowing into the platform: `setWebhook` in the cloud, long polling in the
 * embedded mode. One bot has one webhook, so the platform owns it and fans updates out itself.
 */
export interface TelegramUpdatesConnector {
  connect(gateway: { id: string; userId: string }, botToken: string, webhookSecret: string): Promise<void>
  disconnect(gateway: { id: string }, botToken: string): Promise<void>
}
