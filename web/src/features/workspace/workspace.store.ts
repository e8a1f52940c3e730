import type { PublicPoolUsage, PublicUsageSample, PublicWorkspace } from '@2bot/contracts'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi } from '../../api/api'
import { ApiError } from '../../api/api-error'
import { useAuthStore } from '../auth/auth.store'

/** The signed-in user's workspace: live status, controls and usage history. */
export const useWorkspaceStore = defineStore('workspace', () => {
  const api = useApi()
  const workspace = ref<PublicWorkspace | null>(null)
  const samples = ref<PublicUsageSample[]>([])
  const loading = ref(false)
  const busy = ref<'start' | 'stop' | 'restart' | 'keepAlive' | null>(null)
  /** The pool of the organization the user owns, by department (null: not loaded, or not an owner). */
  const pool = ref<PublicPoolUsage | null>(null)
  /** null until the first answer: whether the user owns an organization (the API answers 404 otherwise). */
  const ownsOrganization = ref<boolean | null>(null)
  const poolLoading = ref(false)

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

  /** Loads the organization pool's usage by department; a 404 means "not an owner" and hides it, not an error. */
  async function loadPool() {
    poolLoading.value = true
    try {
      pool.value = (await api.call(api.client.workspace.departments.$get({ query: { minutes: '60' } }))).pool
      ownsOrganization.value = true
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err
      pool.value = null
      ownsOrganization.value = false
    } finally {
      poolLoading.value = false
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
    pool.value = null
    ownsOrganization.value = null
  })

  return { workspace, samples, loading, busy, pool, ownsOrganization, poolLoading, load, loadPool, act, setKeepAlive }
})
