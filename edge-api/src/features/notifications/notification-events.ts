/**
 * In-process news that a user's notifications changed (a new one, or some were read), for the
 * bell's live stream. Homes without process memory (Workers) leave it out and the stream polls.
 */
export type NotificationSignal = { kind: 'created'; notificationId: string } | { kind: 'read' }

export interface NotificationEvents {
  publish(userId: string, signal: NotificationSignal): void
  subscribe(userId: string, listener: (signal: NotificationSignal) => void): () => void
}

export function createNotificationEvents(): NotificationEvents {
  const listeners = new Map<string, Set<(signal: NotificationSignal) => void>>()
  return {
    publish(userId, signal) {
      listeners.get(userId)?.forEach((l) => l(signal))
    },
    subscribe(userId, listener) {
      let set = listeners.get(userId)
      if (!set) listeners.set(userId, (set = new Set()))
      set.add(listener)
      return () => {
        set.delete(listener)
        if (set.size === 0) listeners.delete(userId)
      }
    },
  }
}
