import * as v from 'valibot'

export const NOTIFICATION_TYPES = ['INFO', 'SUCCESS', 'WARNING', 'ERROR', 'GATEWAY_STATUS', 'PLUGIN_UPDATE', 'SERVICE_COMPLETE', 'SERVICE_ERROR', 'BILLING', 'SYSTEM'] as const
export type NotificationType = (typeof NOTIFICATION_TYPES)[number]

export const ListNotificationsQuery = v.strictObject({
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, 'limit must be a number'), v.transform(Number), v.minValue(1), v.maxValue(100)), '20'),
  unread: v.optional(v.picklist(['true', 'false'], 'unread must be true or false')),
})

export interface PublicNotification {
  id: string
  type: NotificationType
  title: string
  message: string
  /** Where the notification points, e.g. `{ link: '/executions/<service>/<execution>' }`. */
  data: Record<string, unknown> | null
  isRead: boolean
  readAt: string | null
  createdAt: string
}

/** Server-sent events of `GET /api/notifications/events`. */
export type NotificationStreamEvent =
  | { type: 'unread'; unreadCount: number }
  | { type: 'notification'; notification: PublicNotification; unreadCount: number }
