/**
 * Keeps a bot's updates flowing into the platform: `setWebhook` in the cloud, long polling in the
 * embedded mode. One bot has one webhook, so the platform owns it and fans updates out itself.
 */
export interface TelegramUpdatesConnector {
  connect(gateway: { id: string; userId: string }, botToken: string, webhookSecret: string): Promise<void>
  disconnect(gateway: { id: string }, botToken: string): Promise<void>
}
