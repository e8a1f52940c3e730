import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { ListNotificationsQuery, type NotificationStreamEvent } from '@2bot/contracts'
import type { AppEnv } from '../../env'
import { validate } from '../../middleware/validate'
import { authOf, requireAuth } from '../auth/auth.middleware'
import type { NotificationSignal } from '../../adapters/events/notification-events.port'
import { countUnread, findNotification, listNotifications, markAllRead, markRead, toPublicNotification } from './notifications.service'

const session = requireAuth()
/** A stream lives this long; EventSource reconnects by itself. */
const STREAM_MS = 10 * 60 * 1000

/** The signed-in user's notifications (the bell). */
export const notificationsRoutes = new Hono<AppEnv>()
  .get('/', session, validate('query', ListNotificationsQuery), async (c) => {
    const deps = c.get('deps')
    const userId = authOf(c).user.id
    const { limit, unread } = c.req.valid('query')
    const rows = await listNotifications(deps, userId, { limit, unreadOnly: unread === 'true' })
    return c.json({ notifications: rows.map(toPublicNotification), unreadCount: await countUnread(deps, userId) })
  })
  .post('/read-all', session, async (c) => {
    const marked = await markAllRead(c.get('deps'), authOf(c).user.id)
    return c.json({ marked, unreadCount: 0 })
  })
  .post('/:id/read', session, async (c) => {
    const deps = c.get('deps')
    const userId = authOf(c).user.id
    const row = await markRead(deps, userId, c.req.param('id'))
    return c.json({ notification: toPublicNotification(row), unreadCount: await countUnread(deps, userId) })
  })
  /**
   * Live bell, as server-sent events: `unread` (the count, first and whenever it changes) and
   * `notification` (a new one). In-process signals wake it at once where there is process memory
   * (and the database is re-read every 25 s for rows written without one); otherwise the database
   * is re-read every 5 seconds.
   */
  .get('/events', session, async (c) => {
    const deps = c.get('deps')
    const userId = authOf(c).user.id
    return streamSSE(c, async (sse) => {
      const signals: NotificationSignal[] = []
      let wake: (() => void) | undefined
      const unsubscribe = deps.notificationEvents?.subscribe(userId, (signal) => {
        signals.push(signal)
        wake?.()
      })
      let closed = false
      sse.onAbort(() => {
        closed = true
        wake?.()
      })
      const send = (event: NotificationStreamEvent) => sse.writeSSE({ event: event.type, data: JSON.stringify(event) })
      const deadline = Date.now() + STREAM_MS
      let lastCount = await countUnread(deps, userId)
      let newestId = (await listNotifications(deps, userId, { limit: 1 }))[0]?.id
      try {
        await send({ type: 'unread', unreadCount: lastCount })
        while (!closed && Date.now() < deadline) {
          await new Promise<void>((resolve) => {
            wake = resolve
            setTimeout(resolve, deps.notificationEvents ? 25_000 : 5000)
          })
          if (closed) break
          const batch = signals.splice(0)
          const count = await countUnread(deps, userId)
          const created = batch.flatMap((s) => (s.kind === 'created' ? [s.notificationId] : []))
          if (batch.length === 0) {
            // A quiet turn re-reads the newest row: rows written without a signal (another
            // process, or a writer that does not publish) still reach the bell.
            const newest = (await listNotifications(deps, userId, { limit: 1 }))[0]
            if (newest && newest.id !== newestId) created.push(newest.id)
          }
          for (const id of created) {
            const row = await findNotification(deps, userId, id).catch(() => undefined)
            if (row) await send({ type: 'notification', notification: toPublicNotification(row), unreadCount: count })
            newestId = id
          }
          if (created.length === 0 && count !== lastCount) await send({ type: 'unread', unreadCount: count })
          // Nothing to say: a comment line keeps proxies from closing an idle stream.
          else if (created.length === 0) await sse.write(': keep-alive\n\n')
          lastCount = count
        }
      } finally {
        unsubscribe?.()
      }
    })
  })
