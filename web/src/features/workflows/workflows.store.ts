import type { PublicGateway, PublicService } from '@2bot/contracts'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi } from '../../api/api'
import { useAuthStore } from '../auth/auth.store'

export interface GatewayType {
  type: string
  label: string
  actions: readonly string[]
}

/** The user's workflows (services) and the gateways their steps can use. */
export const useWorkflowsStore = defineStore('workflows', () => {
  const api = useApi()
  const workflows = ref<PublicService[]>([])
  const gateways = ref<PublicGateway[]>([])
  const gatewayTypes = ref<GatewayType[]>([])
  const loading = ref(false)

  async function load() {
    loading.value = true
    try {
      workflows.value = (await api.call(api.client.user.services.$get())).services
    } finally {
      loading.value = false
    }
  }

  async function loadGateways() {
    const [list, types] = await Promise.all([api.call(api.client.gateways.$get()), api.call(api.client.gateways.types.$get())])
    gateways.value = list.gateways
    gatewayTypes.value = types.types
  }

  async function create(input: { name: string; definition: unknown }) {
    const { service } = await api.call(api.client.user.services.$post({ json: input }))
    workflows.value = [service, ...workflows.value]
    return service
  }

  async function setEnabled(id: string, enabled: boolean) {
    const route = api.client.user.services[':id']
    const { service } = await api.call(enabled ? route.enable.$post({ param: { id } }) : route.disable.$post({ param: { id } }))
    workflows.value = workflows.value.map((w) => (w.id === id ? { ...w, ...service } : w))
  }

  useAuthStore().onSignedOut(() => {
    workflows.value = []
    gateways.value = []
  })

  return { workflows, gateways, gatewayTypes, loading, load, loadGateways, create, setEnabled }
})
