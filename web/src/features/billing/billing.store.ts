import type { PublicSubscription, UserPlanName } from '@2bot/contracts'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi } from '../../api/api'
import { useAuthStore } from '../auth/auth.store'

/** The signed-in user's plan and the plans on offer; switching where the deployment allows it. */
export const useBillingStore = defineStore('billing', () => {
  const api = useApi()
  const auth = useAuthStore()
  const subscription = ref<PublicSubscription | null>(null)
  const loading = ref(false)
  /** The plan being switched to, while the request runs. */
  const switchingTo = ref<UserPlanName | null>(null)

  async function load() {
    loading.value = subscription.value === null
    try {
      subscription.value = (await api.call(api.client.billing.subscription.$get())).subscription
    } finally {
      loading.value = false
    }
  }

  /** Switches the plan; returns what the user has beyond the new plan's limits (the switch happens anyway). */
  async function switchTo(plan: UserPlanName): Promise<string[]> {
    switchingTo.value = plan
    try {
      const result = await api.call(api.client.billing.subscribe.$post({ json: { plan } }))
      subscription.value = result.subscription
      // The rest of the app (plugin limits, the workspace page) reads the plan from the session's user.
      if (auth.user) auth.user = { ...auth.user, plan: result.subscription.plan }
      return result.warnings
    } finally {
      switchingTo.value = null
    }
  }

  auth.onSignedOut(() => {
    subscription.value = null
  })

  return { subscription, loading, switchingTo, load, switchTo }
})
