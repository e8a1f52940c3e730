/**
 * In-process news that a user's notifications changed (a new one, or some were read), for the
 * bell's live stream. Homes without process memory (Workers) leave it out and the stream polls.
 */
export type NotificationSignal = { kind: 'created'; notificationId: string } | { kind: 'read' }

export interface NotificationEvents {
  publish(userId: string, signal: NotificationSignal): void
  subscribe(userId: string, listener: (signal: NotificationSignal) => void): () => void
}
