import type { PublicUsageSample, PublicWorkspace } from '@2bot/edge-api/contracts'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi } from '../../api/api'
import { useAuthStore } from '../auth/auth.store'

/** The signed-in user's workspace: live status, controls and usage history. */
export const useWorkspaceStore = defineStore('workspace', () => {
  const api = useApi()
  const workspace = ref<PublicWorkspace | null>(null)
  const samples = ref<PublicUsageSample[]>([])
  const loading = ref(false)
  const busy = ref<'start' | 'stop' | 'restart' | 'keepAlive' | null>(null)

  async function load() {
    loading.value = workspace.value === null
    try {
      const [status, usage] = await Promise.all([
        api.call(api.client.workspace.$get()),
        api.call(api.client.workspace.usage.$get({ query: { minutes: '60' } })),
      ])
      workspace.value = status.workspace
      samples.value = usage.samples
    } finally {
      loading.value = false
    }
  }

  async function act(action: 'start' | 'stop' | 'restart') {
    busy.value = action
    try {
      const calls = { start: () => api.client.workspace.start.$post(), stop: () => api.client.workspace.stop.$post(), restart: () => api.client.workspace.restart.$post() }
      workspace.value = (await api.call(calls[action]())).workspace
    } finally {
      busy.value = null
    }
  }

  async function setKeepAlive(keepAlive: boolean) {
    busy.value = 'keepAlive'
    try {
      workspace.value = (await api.call(api.client.workspace.$patch({ json: { keepAlive } }))).workspace
    } finally {
      busy.value = null
    }
  }

  useAuthStore().onSignedOut(() => {
    workspace.value = null
    samples.value = []
  })

  return { workspace, samples, loading, busy, load, act, setKeepAlive }
})
