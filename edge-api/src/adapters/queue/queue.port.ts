export interface QueueMessage {
  /** Names the consumer, e.g. 'execution.run'. */
  topic: string
  body: unknown
  delaySeconds?: number
  /** Consumers are idempotent by this id; a repeated publish with the same id may be dropped. */
  deduplicationId?: string
}

/** Delayed and background delivery: QStash in the cloud, an in-process queue locally. */
export interface Queue {
  publish(message: QueueMessage): Promise<{ messageId: string }>
  ping(): Promise<void>
  /** An in-process queue delivers what is due when this runs (the embedded home's background loop); hosted queues deliver themselves. */
  drain?(): Promise<void>
}
