import type { CreateGatewayInput, GatewayType, PublicGateway } from '@2bot/contracts'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi } from '../../api/api'
import { useAuthStore } from '../auth/auth.store'

/** One gateway type as GET /api/gateways/types describes it. */
export interface GatewayTypeInfo {
  type: GatewayType
  label: string
  description: string
  actions: readonly string[]
  warning: string | null
  /** Listed but not built yet: shown disabled, and the API refuses to create one. */
  comingSoon: boolean
}

/** What "Test connection" / "Connect" answered: `info` holds e.g. the bot's username. */
export interface GatewayCheckResult {
  ok: boolean
  info?: Record<string, unknown>
  error?: string
}

/** A change to a saved gateway; credentials are only sent when the user replaces them. */
export interface GatewayPatch {
  name?: string
  config?: Record<string, unknown>
  credentials?: Record<string, unknown>
}

/** The user's gateways. Credentials are write-only: the API never returns them. */
export const useGatewaysStore = defineStore('gateways', () => {
  const api = useApi()
  const gateways = ref<PublicGateway[]>([])
  const types = ref<GatewayTypeInfo[]>([])
  const loading = ref(false)
  const loaded = ref(false)

  function put(gateway: PublicGateway) {
    const i = gateways.value.findIndex((g) => g.id === gateway.id)
    if (i === -1) gateways.value = [gateway, ...gateways.value]
    else gateways.value = gateways.value.map((g) => (g.id === gateway.id ? gateway : g))
  }

  async function load() {
    loading.value = true
    try {
      gateways.value = (await api.call(api.client.gateways.$get())).gateways
      loaded.value = true
    } finally {
      loading.value = false
    }
  }

  async function loadTypes() {
    if (types.value.length) return types.value
    const res = await api.call(api.client.gateways.types.$get())
    types.value = res.types.map((t) => ({ ...t, type: t.type as GatewayType, warning: t.warning ?? null, comingSoon: t.comingSoon === true }))
    return types.value
  }

  async function create(body: CreateGatewayInput) {
    const { gateway } = await api.call(api.client.gateways.$post({ json: body }))
    put(gateway)
    return gateway
  }

  async function update(id: string, patch: GatewayPatch) {
    const { gateway } = await api.call(api.client.gateways[':id'].$patch({ param: { id }, json: patch }))
    put(gateway)
    return gateway
  }

  async function test(id: string): Promise<GatewayCheckResult> {
    const { result, gateway } = await api.call(api.client.gateways[':id'].test.$post({ param: { id } }))
    put(gateway)
    return result
  }

  async function connect(id: string): Promise<GatewayCheckResult> {
    const { result, gateway } = await api.call(api.client.gateways[':id'].connect.$post({ param: { id } }))
    put(gateway)
    return result
  }

  async function disconnect(id: string) {
    const { gateway } = await api.call(api.client.gateways[':id'].disconnect.$post({ param: { id } }))
    put(gateway)
  }

  async function remove(id: string) {
    await api.call(api.client.gateways[':id'].$delete({ param: { id } }))
    gateways.value = gateways.value.filter((g) => g.id !== id)
  }

  useAuthStore().onSignedOut(() => {
    gateways.value = []
    loaded.value = false
  })

  return { gateways, types, loading, loaded, load, loadTypes, create, update, test, connect, disconnect, remove }
})
