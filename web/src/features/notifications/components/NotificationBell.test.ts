import type { PublicNotification } from '@2bot/contracts'
import { flushPromises, mount } from '@vue/test-utils'
import { NMessageProvider } from 'naive-ui'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { API_KEY } from '../../../api/api'
import { apiOn, fakeServer, json } from '../../../test/fake-server'
import { testApp } from '../../../test/test-app'
import NotificationBell from './NotificationBell.vue'

const failed: PublicNotification = {
  id: 'n1',
  type: 'SERVICE_ERROR',
  title: '“Greeter” failed',
  message: 'chat not found',
  data: { link: '/executions/s1/e1' },
  isRead: false,
  readAt: null,
  createdAt: new Date().toISOString(),
}

describe('NotificationBell', () => {
  it('shows the unread count, lists notifications, and opening one marks it read and follows its link', async () => {
    const server = fakeServer({
      'GET /api/notifications': () => json({ notifications: [failed], unreadCount: 1 }),
      'POST /api/notifications/n1/read': () => json({ notification: { ...failed, isRead: true, readAt: new Date().toISOString() }, unreadCount: 0 }),
    })
    const api = await apiOn(server.fetch, '2bot_csrf=tok')
    const { pinia } = testApp(api)
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:any(.*)*', component: { render: () => null } }] })
    await router.push('/')
    const Root = defineComponent({ render: () => h(NMessageProvider, () => h(NotificationBell)) })
    const wrapper = mount(Root, { global: { plugins: [pinia, router], provide: { [API_KEY as symbol]: api } }, attachTo: document.body })
    await flushPromises()

    expect(wrapper.get('[data-testid="notification-unread-count"]').text()).toBe('1')
    expect(wrapper.get('[data-testid="notification-bell"]').attributes('aria-label')).toBe('Notifications, 1 unread')
    await wrapper.get('[data-testid="notification-bell"]').trigger('click')
    await flushPromises()
    const item = document.querySelector('[data-testid="notification-item"]') as HTMLElement
    expect(item.textContent).toContain('“Greeter” failed')
    item.click()
    await flushPromises()
    expect(server.requests.some((r) => r.method === 'POST' && r.path === '/api/notifications/n1/read')).toBe(true)
    expect(router.currentRoute.value.fullPath).toBe('/executions/s1/e1')
    expect(wrapper.find('[data-testid="notification-unread-count"]').exists()).toBe(false)
    wrapper.unmount()
  })
})
