import type { PublicUser } from '@2bot/contracts'
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { useApi } from '../../api/api'
import { ApiError } from '../../api/api-error'

export interface Credentials {
  email: string
  password: string
}

/** The signed-in user and every request that starts or ends a session. */
export const useAuthStore = defineStore('auth', () => {
  const api = useApi()
  const { client, platform } = api
  const user = ref<PublicUser | null>(null)
  const loaded = ref(false)
  let loading: Promise<void> | undefined
  const signedOutListeners = new Set<() => void>()
  const signedInListeners = new Set<(user: PublicUser) => void>()
  const lastUnauthorized = shallowRef<ApiError | null>(null)

  const isSignedIn = computed(() => user.value !== null)
  const displayName = computed(() => user.value?.name || user.value?.email || '')

  function setUser(next: PublicUser) {
    const wasSignedOut = user.value === null
    user.value = next
    if (wasSignedOut) signedInListeners.forEach((l) => l(next))
  }

  async function clearSession() {
    await platform.signedOut()
    user.value = null
    signedOutListeners.forEach((l) => l())
  }

  // Another tab or device ended this session: drop local state so the router guard sends us to /login.
  api.onUnauthorized((err) => {
    if (!user.value) return
    lastUnauthorized.value = err
    void clearSession()
  })

  /** Loads the session once (GET /api/auth/session); 401 means signed out. */
  function ensureLoaded(): Promise<void> {
    loading ??= (async () => {
      try {
        if (await platform.mayHaveSession()) {
          const res = await api.call(client.auth.session.$get())
          setUser(res.user)
          if (res.csrfToken) await platform.signedIn({ csrfToken: res.csrfToken })
        }
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 401) console.warn('Could not load the session', err)
        user.value = null
      } finally {
        loaded.value = true
      }
    })()
    return loading
  }

  async function login(credentials: Credentials) {
    const res = await api.call(client.auth.login.$post({ json: { ...credentials, tokenType: platform.tokenType } }))
    await platform.signedIn(res)
    setUser(res.user)
  }

  async function register(input: Credentials & { name?: string }) {
    const res = await api.call(client.auth.register.$post({ json: { ...input, tokenType: platform.tokenType } }))
    await platform.signedIn(res)
    setUser(res.user)
  }

  async function logout() {
    try {
      await api.call(client.auth.logout.$post())
    } finally {
      await clearSession()
    }
  }

  async function logoutAll() {
    const res = await api.call(client.auth['logout-all'].$post())
    await clearSession()
    return res.ended
  }

  async function changePassword(input: { currentPassword: string; newPassword: string }) {
    return api.call(client.auth['change-password'].$post({ json: input }))
  }

  async function forgotPassword(email: string) {
    return api.call(client.auth['forgot-password'].$post({ json: { email } }))
  }

  async function resetPassword(token: string, password: string) {
    return api.call(client.auth['reset-password'].$post({ json: { token, password } }))
  }

  async function verifyEmail(token: string) {
    const res = await api.call(client.auth['verify-email'].$post({ json: { token } }))
    if (user.value?.id === res.user.id) user.value = res.user
    return res.user
  }

  async function resendVerification() {
    const res = await api.call(client.auth['verify-email'].resend.$post())
    if (res.alreadyVerified && user.value) user.value = { ...user.value, emailVerified: true }
    return res
  }

  async function updateMe(patch: { name?: string; theme?: PublicUser['theme'] }) {
    const res = await api.call(client.users.me.$patch({ json: patch }))
    user.value = res.user
    return res.user
  }

  async function deleteAccount(password: string) {
    await api.call(client.users.me.$delete({ json: { password } }))
    await clearSession()
  }

  /** Runs `listener` after every sign-out (local stores reset their data here). */
  function onSignedOut(listener: () => void) {
    signedOutListeners.add(listener)
    return () => signedOutListeners.delete(listener)
  }

  /** Runs `listener` when a user signs in or the session is restored at boot. */
  function onSignedIn(listener: (user: PublicUser) => void) {
    signedInListeners.add(listener)
    return () => signedInListeners.delete(listener)
  }

  return {
    user,
    loaded,
    isSignedIn,
    displayName,
    lastUnauthorized,
    ensureLoaded,
    login,
    register,
    logout,
    logoutAll,
    changePassword,
    forgotPassword,
    resetPassword,
    verifyEmail,
    resendVerification,
    updateMe,
    deleteAccount,
    onSignedOut,
    onSignedIn,
  }
})
