import type { NotificationStreamEvent, PublicNotification } from '@2bot/contracts'

/** What the bell shows: the newest notifications and the number still unread. */
export interface NotificationFeed {
  items: PublicNotification[]
  unreadCount: number
}

export const FEED_LIMIT = 20

/** Parses one server-sent event of `/api/notifications/events`; anything malformed is dropped. */
export function parseStreamEvent(name: string, data: string): NotificationStreamEvent | null {
  try {
    const event = JSON.parse(data) as NotificationStreamEvent
    if (event.type !== name || typeof event.unreadCount !== 'number') return null
    if (event.type === 'notification' && typeof event.notification?.id !== 'string') return null
    return event
  } catch {
    return null
  }
}

/**
 * Folds a live event into the feed: a new notification goes on top (once), the count follows the
 * server. When the server counts none unread (read elsewhere), the shown items are read too.
 */
export function applyStreamEvent(feed: NotificationFeed, event: NotificationStreamEvent): NotificationFeed {
  let items = feed.items
  if (event.type === 'notification' && !items.some((n) => n.id === event.notification.id)) {
    items = [event.notification, ...items].slice(0, FEED_LIMIT)
  }
  if (event.unreadCount === 0 && items.some((n) => !n.isRead)) items = items.map((n) => (n.isRead ? n : { ...n, isRead: true }))
  return { items, unreadCount: event.unreadCount }
}

/** Marks one item read in the feed (after the API said so). */
export function markReadInFeed(feed: NotificationFeed, updated: PublicNotification, unreadCount: number): NotificationFeed {
  return { items: feed.items.map((n) => (n.id === updated.id ? updated : n)), unreadCount }
}

/** The count as the badge shows it. */
export function badgeText(count: number): string {
  return count > 99 ? '99+' : String(count)
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })

/** "5 minutes ago", "yesterday"; falls back to the date for older items. */
export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000)
  if (!Number.isFinite(seconds)) return ''
  const abs = Math.abs(seconds)
  if (abs < 45) return 'just now'
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute')
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour')
  if (abs < 7 * 86_400) return relative.format(Math.round(seconds / 86_400), 'day')
  return new Date(iso).toLocaleDateString()
}
