import type { ApiKeyScope, PublicApiKey } from '@2bot/contracts'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi } from '../../api/api'
import { useAuthStore } from '../auth/auth.store'

/** The user's API keys. The secret itself is only ever returned by create and rotate, once. */
export const useApiKeysStore = defineStore('api-keys', () => {
  const api = useApi()
  const keys = ref<PublicApiKey[]>([])
  const loading = ref(false)

  async function load() {
    loading.value = true
    try {
      keys.value = (await api.call(api.client['api-keys'].$get())).apiKeys
    } finally {
      loading.value = false
    }
  }

  async function create(input: { name: string; scopes: ApiKeyScope[]; expiresInDays?: number }) {
    const res = await api.call(api.client['api-keys'].$post({ json: input }))
    keys.value = [res.apiKey, ...keys.value]
    return res
  }

  async function revoke(id: string) {
    await api.call(api.client['api-keys'][':id'].$delete({ param: { id } }))
    keys.value = keys.value.filter((k) => k.id !== id)
  }

  /** Issues a new secret; the old one keeps working until `previousKeyExpiresAt`. */
  async function rotate(id: string) {
    const res = await api.call(api.client['api-keys'][':id'].rotate.$post({ param: { id } }))
    await load()
    return res
  }

  useAuthStore().onSignedOut(() => {
    keys.value = []
  })

  return { keys, loading, load, create, revoke, rotate }
})
