import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi, type OkBody } from '../../api/api'
import type { ApiClient } from '@2bot/edge-api/client'
import { useAuthStore } from '../auth/auth.store'

export type SessionInfo = OkBody<Awaited<ReturnType<ApiClient['auth']['sessions']['$get']>>>['sessions'][number]

/** The signed-in user's sessions (devices), with revoke. */
export const useSessionsStore = defineStore('sessions', () => {
  const api = useApi()
  const auth = useAuthStore()
  const sessions = ref<SessionInfo[]>([])
  const loading = ref(false)

  async function load() {
    loading.value = true
    try {
      sessions.value = (await api.call(api.client.auth.sessions.$get())).sessions
    } finally {
      loading.value = false
    }
  }

  async function revoke(id: string) {
    const wasCurrent = sessions.value.find((s) => s.id === id)?.current ?? false
    await api.call(api.client.auth.sessions[':id'].$delete({ param: { id } }))
    sessions.value = sessions.value.filter((s) => s.id !== id)
    return { wasCurrent }
  }

  auth.onSignedOut(() => {
    sessions.value = []
  })

  return { sessions, loading, load, revoke }
})
