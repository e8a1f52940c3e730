import type { Clock } from '../clock/clock.port'
import { newId } from '../../lib/crypto'
import type { Queue, QueueMessage } from './queue.port'

export type QueueHandler = (body: unknown, meta: { messageId: string; topic: string }) => Promise<void>

/** Bounds of the embedded queue's memory: messages waiting, and deduplication ids remembered. */
export const LOCAL_QUEUE_LIMITS = { maxPending: 10_000, maxSeen: 10_000 }

/**
 * The embedded queue: messages are delivered in-process after their delay, whenever `drain` runs
 * (the embedded home's background loop). Handlers are registered by topic; a message for a topic
 * with no handler waits until one is registered. Bounded: past `maxPending` the oldest message is
 * dropped (the queue only nudges; the database holds the work), and deduplication remembers the
 * last `maxSeen` ids.
 */
export function createLocalQueue(clock: Clock, limits = LOCAL_QUEUE_LIMITS) {
  const handlers = new Map<string, QueueHandler>()
  const pending: Array<QueueMessage & { messageId: string; dueAt: number }> = []
  const seen = new Set<string>()

  const deliver = async () => {
    const now = clock.now().getTime()
    for (const message of [...pending]) {
      const handler = handlers.get(message.topic)
      if (!handler || message.dueAt > now) continue
      pending.splice(pending.indexOf(message), 1)
      await handler(message.body, { messageId: message.messageId, topic: message.topic })
    }
  }

  const queue: Queue & {
    on(topic: string, handler: QueueHandler): void
    drain(): Promise<void>
    size(): number
  } = {
    async publish(message) {
      if (message.deduplicationId) {
        if (seen.has(message.deduplicationId)) return { messageId: message.deduplicationId }
        seen.add(message.deduplicationId)
        if (seen.size > limits.maxSeen) seen.delete(seen.values().next().value as string)
      }
      const messageId = message.deduplicationId ?? newId()
      if (pending.length >= limits.maxPending) pending.shift()
      pending.push({ ...message, messageId, dueAt: clock.now().getTime() + (message.delaySeconds ?? 0) * 1000 })
      return { messageId }
    },
    async ping() {},
    on(topic, handler) {
      handlers.set(topic, handler)
    },
    drain: deliver,
    size: () => pending.length,
  }
  return queue
}
