import type { PublicNotification } from '@2bot/contracts'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { apiOn, fakeServer, json } from '../../test/fake-server'
import { testApp } from '../../test/test-app'
import { applyStreamEvent, badgeText, parseStreamEvent, timeAgo } from './notification-feed'
import { POLL_MS, useNotificationsStore } from './notifications.store'

function aNotification(overrides: Partial<PublicNotification> = {}): PublicNotification {
  return { id: 'n1', type: 'SERVICE_ERROR', title: '“Greeter” failed', message: 'chat not found', data: { link: '/executions/s/e' }, isRead: false, readAt: null, createdAt: '2026-01-01T10:00:00.000Z', ...overrides }
}

/** A stand-in for the browser's EventSource that tests drive by hand. */
class FakeEventSource {
  static last: FakeEventSource | null = null
  static CLOSED = 2
  readyState = 1
  listeners = new Map<string, ((e: MessageEvent<string>) => void)[]>()
  constructor(readonly url: string) {
    FakeEventSource.last = this
  }
  addEventListener(name: string, l: (e: MessageEvent<string>) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), l])
  }
  emit(name: string, data: unknown) {
    this.listeners.get(name)?.forEach((l) => l({ data: JSON.stringify(data) } as MessageEvent<string>))
  }
  close() {
    this.readyState = 2
  }
}

async function setup(list: PublicNotification[], unreadCount: number) {
  const server = fakeServer({
    'GET /api/notifications': () => json({ notifications: list, unreadCount }),
    'POST /api/notifications/n1/read': () => json({ notification: { ...list[0]!, isRead: true, readAt: '2026-01-01T11:00:00.000Z' }, unreadCount: unreadCount - 1 }),
    'POST /api/notifications/read-all': () => json({ marked: unreadCount, unreadCount: 0 }),
  })
  testApp(await apiOn(server.fetch, '2bot_csrf=tok'))
  return { server, store: useNotificationsStore() }
}

afterEach(() => vi.unstubAllGlobals())

describe('notifications store', () => {
  it('loads the feed, marks one read, then all read', async () => {
    const { server, store } = await setup([aNotification(), aNotification({ id: 'n2', title: 'two' })], 2)
    await store.load()
    expect(store.unreadCount).toBe(2)
    await store.markRead(store.items[0]!)
    expect(store.items[0]!.isRead).toBe(true)
    expect(store.unreadCount).toBe(1)
    await store.markAllRead()
    expect(store.unreadCount).toBe(0)
    expect(store.items.every((n) => n.isRead)).toBe(true)
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/notifications', 'POST /api/notifications/n1/read', 'POST /api/notifications/read-all'])
    expect(server.requests[1]!.headers.get('x-csrf-token')).toBe('tok')
  })

  it('goes live over EventSource: new notifications land on top and the count follows', async () => {
    vi.stubGlobal('EventSource', FakeEventSource)
    const { store } = await setup([aNotification({ isRead: true })], 0)
    await store.connect()
    const es = FakeEventSource.last!
    expect(es.url).toBe('/api/notifications/events')
    es.emit('unread', { type: 'unread', unreadCount: 0 })
    es.emit('notification', { type: 'notification', unreadCount: 1, notification: aNotification({ id: 'n9', title: 'new' }) })
    expect(store.unreadCount).toBe(1)
    expect(store.items.map((n) => n.id)).toEqual(['n9', 'n1'])
    es.emit('notification', { type: 'notification', unreadCount: 1, notification: aNotification({ id: 'n9', title: 'new' }) })
    expect(store.items).toHaveLength(2)
    store.disconnect()
    expect(es.readyState).toBe(2)
  })
})

describe('notifications store without EventSource', () => {
  it('re-reads the bell every 30 s instead, and stops on disconnect', async () => {
    vi.useFakeTimers()
    vi.stubGlobal('EventSource', undefined)
    try {
      const { server, store } = await setup([aNotification()], 1)
      await store.connect()
      const gets = () => server.requests.filter((r) => r.method === 'GET').length
      expect(gets()).toBe(1)
      await vi.advanceTimersByTimeAsync(POLL_MS)
      expect(gets()).toBe(2)
      store.disconnect()
      await vi.advanceTimersByTimeAsync(POLL_MS * 3)
      expect(gets()).toBe(2)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('notification feed helpers', () => {
  it('drops malformed events and marks everything read when the server counts none unread', () => {
    expect(parseStreamEvent('unread', '{oops')).toBeNull()
    expect(parseStreamEvent('unread', JSON.stringify({ type: 'notification', unreadCount: 1 }))).toBeNull()
    const feed = { items: [aNotification(), aNotification({ id: 'n2' })], unreadCount: 2 }
    const next = applyStreamEvent(feed, { type: 'unread', unreadCount: 0 })
    expect(next.items.every((n) => n.isRead)).toBe(true)
  })

  it('formats the badge and relative times', () => {
    expect(badgeText(7)).toBe('7')
    expect(badgeText(150)).toBe('99+')
    const now = Date.parse('2026-01-01T12:00:00Z')
    expect(timeAgo('2026-01-01T11:59:50Z', now)).toBe('just now')
    expect(timeAgo('2026-01-01T11:55:00Z', now)).toMatch(/5 minutes ago/)
    expect(timeAgo('2026-01-01T09:00:00Z', now)).toMatch(/3 hours ago/)
  })
})
