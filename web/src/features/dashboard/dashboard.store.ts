import type { DashboardWidget, WidgetSize, WidgetType } from '@2bot/contracts'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi } from '../../api/api'
import { useAuthStore } from '../auth/auth.store'
import { moveWidget, newWidget, updateWidget } from './dashboard-layout'

/**
 * The user's dashboard layout. Every change applies at once and is saved with PUT
 * /api/dashboard/layout; saves run one after another, and a refused save puts back the layout
 * the server last accepted (the caller shows the error).
 */
export const useDashboardStore = defineStore('dashboard', () => {
  const api = useApi()
  const widgets = ref<DashboardWidget[]>([])
  const isDefault = ref(true)
  const loading = ref(false)
  const loaded = ref(false)
  const saving = ref(false)
  let saved: DashboardWidget[] = []
  let queue: Promise<unknown> = Promise.resolve()

  // The layout belongs to the account: forget it when the session ends.
  useAuthStore().onSignedOut(() => {
    widgets.value = []
    saved = []
    loaded.value = false
  })

  async function load() {
    loading.value = true
    try {
      const { layout } = await api.call(api.client.dashboard.layout.$get())
      widgets.value = layout.widgets
      saved = layout.widgets
      isDefault.value = layout.isDefault
      loaded.value = true
    } finally {
      loading.value = false
    }
  }

  function commit(next: DashboardWidget[]): Promise<void> {
    widgets.value = next
    const run = queue.then(async () => {
      saving.value = true
      try {
        const { layout } = await api.call(api.client.dashboard.layout.$put({ json: { widgets: next } }))
        saved = layout.widgets
        isDefault.value = false
      } catch (err) {
        widgets.value = saved
        throw err
      } finally {
        saving.value = false
      }
    })
    queue = run.catch(() => {})
    return run
  }

  return {
    widgets,
    isDefault,
    loading,
    loaded,
    saving,
    load,
    add: (type: WidgetType) => commit([...widgets.value, newWidget(type, widgets.value)]),
    remove: (id: string) => commit(widgets.value.filter((w) => w.id !== id)),
    resize: (id: string, size: WidgetSize) => commit(updateWidget(widgets.value, id, { size })),
    setRefresh: (id: string, refreshSeconds: number) => commit(updateWidget(widgets.value, id, { refreshSeconds })),
    setSettings: (id: string, settings: DashboardWidget['settings']) => commit(updateWidget(widgets.value, id, { settings })),
    move: (from: number, to: number) => commit(moveWidget(widgets.value, from, to)),
    /** After a drag: the list in its new order. */
    reorder: (next: DashboardWidget[]) => commit(next),
  }
})
