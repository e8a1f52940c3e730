import type { PublicNotification } from '@2bot/contracts'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '../../api/api'
import { useAuthStore } from '../auth/auth.store'
import { FEED_LIMIT, applyStreamEvent, markReadInFeed, parseStreamEvent, type NotificationFeed } from './notification-feed'

/** How often the desktop app (no EventSource with a bearer token) or a refused stream re-reads the bell. */
export const POLL_MS = 30_000

/**
 * The bell: the newest notifications, the unread count, mark read / all read, and live updates
 * through the API's server-sent events (polling where EventSource cannot carry the session).
 */
export const useNotificationsStore = defineStore('notifications', () => {
  const api = useApi()
  const auth = useAuthStore()
  const feed = ref<NotificationFeed>({ items: [], unreadCount: 0 })
  const loading = ref(false)
  const loaded = ref(false)
  let source: EventSource | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let generation = 0
  let active = false

  const items = computed(() => feed.value.items)
  const unreadCount = computed(() => feed.value.unreadCount)

  async function load() {
    loading.value = true
    try {
      const res = await api.call(api.client.notifications.$get({ query: { limit: String(FEED_LIMIT) } }))
      feed.value = { items: res.notifications, unreadCount: res.unreadCount }
      loaded.value = true
    } finally {
      loading.value = false
    }
  }

  async function markRead(notification: PublicNotification) {
    if (notification.isRead) return
    const res = await api.call(api.client.notifications[':id'].read.$post({ param: { id: notification.id } }))
    feed.value = markReadInFeed(feed.value, res.notification, res.unreadCount)
  }

  async function markAllRead() {
    const res = await api.call(api.client.notifications['read-all'].$post())
    feed.value = applyStreamEvent(feed.value, { type: 'unread', unreadCount: res.unreadCount })
  }

  function poll(gen: number) {
    timer = setTimeout(() => {
      if (gen !== generation) return
      load()
        .catch(() => {})
        .finally(() => {
          if (gen === generation) poll(gen)
        })
    }, POLL_MS)
  }

  /** Starts live updates (idempotent); the first load happens here too. */
  async function connect() {
    if (active) return
    active = true
    const gen = ++generation
    await load().catch(() => {})
    if (gen !== generation) return
    if (api.platform.kind !== 'browser' || typeof EventSource === 'undefined') return poll(gen)
    const base = (await api.platform.apiBaseUrl()).replace(/\/$/, '')
    if (gen !== generation) return
    const es = new EventSource(`${base}/notifications/events`)
    source = es
    for (const name of ['unread', 'notification']) {
      es.addEventListener(name, (e) => {
        const event = parseStreamEvent(name, (e as MessageEvent<string>).data)
        if (event && gen === generation) feed.value = applyStreamEvent(feed.value, event)
      })
    }
    es.addEventListener('error', () => {
      // A refused stream is closed for good: poll instead. Otherwise the browser reconnects by itself.
      if (gen === generation && es.readyState === EventSource.CLOSED) {
        source = null
        poll(gen)
      }
    })
  }

  function disconnect() {
    active = false
    generation++
    source?.close()
    source = null
    clearTimeout(timer)
    timer = undefined
  }

  auth.onSignedOut(() => {
    disconnect()
    feed.value = { items: [], unreadCount: 0 }
    loaded.value = false
  })

  return { items, unreadCount, loading, loaded, load, markRead, markAllRead, connect, disconnect }
})
