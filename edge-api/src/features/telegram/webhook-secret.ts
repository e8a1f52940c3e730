import type { Secrets } from '../../adapters/secrets/secrets.port'
import { toBase64Url } from '../../lib/crypto'

/**
 * The secret Telegram echoes in `X-Telegram-Bot-Api-Secret-Token`: derived from the platform key
 * and the gateway id, so nothing is stored. (Rotating the key means reconnecting bots.)
 */
export async function telegramWebhookSecret(secrets: Secrets, gatewayId: string): Promise<string> {
  const raw = secrets.encryptionKeys[secrets.currentKeyId]!
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`telegram-webhook:${gatewayId}`)))
  return toBase64Url(mac)
}
