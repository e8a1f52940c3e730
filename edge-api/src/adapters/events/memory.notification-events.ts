import type { NotificationSignal, NotificationEvents } from './notification-events.port'
import { createKeyedListeners } from './keyed-listeners'

export function createNotificationEvents(): NotificationEvents {
  const listeners = createKeyedListeners<NotificationSignal>()
  return { publish: listeners.emit, subscribe: listeners.add }
}
