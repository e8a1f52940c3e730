import { Client } from '@upstash/qstash'
import type { Queue } from './queue.port'

export interface QStashConfig {
  baseUrl?: string
  token: string
  /** Public URL of this API; QStash delivers to `${publicUrl}/api/queue/<topic>`. */
  publicUrl: string
}

export function createQStashQueue(config: QStashConfig): Queue {
  const client = new Client({ token: config.token, ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}) })
  return {
    async publish(message) {
      const res = await client.publishJSON({
        url: `${config.publicUrl.replace(/\/$/, '')}/api/queue/${encodeURIComponent(message.topic)}`,
        body: message.body,
        ...(message.delaySeconds ? { delay: message.delaySeconds } : {}),
        ...(message.deduplicationId ? { deduplicationId: message.deduplicationId } : {}),
      })
      return { messageId: 'messageId' in res ? res.messageId : String(res) }
    },
    async ping() {
      const res = await fetch(`${(config.baseUrl ?? 'https://qstash.upstash.io').replace(/\/$/, '')}/v2/schedules`, {
        headers: { authorization: `Bearer ${config.token}` },
      })
      if (res.status >= 500 || res.status === 401) throw new Error(`QStash answered ${res.status}`)
    },
  }
}
