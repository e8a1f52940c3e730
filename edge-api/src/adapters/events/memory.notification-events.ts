import type { NotificationSignal, NotificationEvents } from './notification-events.port'

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
