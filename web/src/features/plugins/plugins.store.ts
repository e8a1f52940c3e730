import type { GatewayType, PublicInstalledPlugin, PublicPlugin } from '@2bot/contracts'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '../../api/api'
import { toApiError, type ApiError } from '../../api/api-error'
import { useAuthStore } from '../auth/auth.store'

/** What install sends: the config form's values and one gateway id per gateway type the plugin calls. */
export interface PluginSettings {
  config: Record<string, unknown>
  gateways: Partial<Record<GatewayType, string>>
}

export type PluginAction = 'install' | 'uninstall' | 'configure' | 'bind' | 'enable' | 'disable'

/** The marketplace catalog and the user's installed plugins. Actions rethrow as ApiError after recording it. */
export const usePluginsStore = defineStore('plugins', () => {
  const api = useApi()
  const catalog = ref<PublicPlugin[]>([])
  const installed = ref<PublicInstalledPlugin[]>([])
  const loadingCatalog = ref(false)
  const loadingInstalled = ref(false)
  const catalogLoaded = ref(false)
  const installedLoaded = ref(false)
  /** The last failed load, shown in place of the list. */
  const loadError = ref<ApiError | null>(null)
  /** The action under way per plugin slug, so one plugin runs one action at a time. */
  const busy = ref<Record<string, PluginAction>>({})
  /** The last failed action per plugin slug. */
  const errors = ref<Record<string, ApiError>>({})

  const installedBySlug = computed(() => new Map(installed.value.map((p) => [p.slug, p])))

  async function loadCatalog() {
    loadingCatalog.value = true
    try {
      catalog.value = (await api.call(api.client.marketplace.$get({ query: {} }))).items
      catalogLoaded.value = true
      loadError.value = null
    } catch (err) {
      throw (loadError.value = toApiError(err))
    } finally {
      loadingCatalog.value = false
    }
  }

  async function loadInstalled() {
    loadingInstalled.value = true
    try {
      installed.value = (await api.call(api.client.user.plugins.$get())).plugins
      installedLoaded.value = true
      loadError.value = null
    } catch (err) {
      throw (loadError.value = toApiError(err))
    } finally {
      loadingInstalled.value = false
    }
  }

  function put(plugin: PublicInstalledPlugin) {
    const i = installed.value.findIndex((p) => p.slug === plugin.slug)
    installed.value = i === -1 ? [plugin, ...installed.value] : installed.value.map((p) => (p.slug === plugin.slug ? plugin : p))
  }

  function countInstall(slug: string, delta: number) {
    catalog.value = catalog.value.map((p) => (p.slug === slug ? { ...p, installCount: Math.max(0, p.installCount + delta) } : p))
  }

  async function run<T>(slug: string, action: PluginAction, call: () => Promise<T>): Promise<T> {
    busy.value = { ...busy.value, [slug]: action }
    const { [slug]: _, ...rest } = errors.value
    errors.value = rest
    try {
      return await call()
    } catch (err) {
      const error = toApiError(err)
      errors.value = { ...errors.value, [slug]: error }
      throw error
    } finally {
      const { [slug]: _done, ...others } = busy.value
      busy.value = others
    }
  }

  const route = api.client.user.plugins[':slug']

  const install = (slug: string, settings: PluginSettings = { config: {}, gateways: {} }) =>
    run(slug, 'install', async () => {
      const { plugin } = await api.call(route.install.$post({ param: { slug }, json: settings }))
      put(plugin)
      countInstall(slug, 1)
      return plugin
    })

  const uninstall = (slug: string) =>
    run(slug, 'uninstall', async () => {
      await api.call(route.uninstall.$delete({ param: { slug } }))
      installed.value = installed.value.filter((p) => p.slug !== slug)
      countInstall(slug, -1)
    })

  const configure = (slug: string, config: Record<string, unknown>) =>
    run(slug, 'configure', async () => {
      const { plugin } = await api.call(route.config.$patch({ param: { slug }, json: { config } }))
      put(plugin)
      return plugin
    })

  const bindGateways = (slug: string, gateways: PluginSettings['gateways']) =>
    run(slug, 'bind', async () => {
      const { plugin } = await api.call(route.gateways.$post({ param: { slug }, json: { gateways } }))
      put(plugin)
      return plugin
    })

  const setEnabled = (slug: string, enabled: boolean) =>
    run(slug, enabled ? 'enable' : 'disable', async () => {
      const { plugin } = await api.call(enabled ? route.enable.$post({ param: { slug } }) : route.disable.$post({ param: { slug } }))
      put(plugin)
      return plugin
    })

  useAuthStore().onSignedOut(() => {
    installed.value = []
    installedLoaded.value = false
    errors.value = {}
  })

  return {
    catalog,
    installed,
    installedBySlug,
    loadingCatalog,
    loadingInstalled,
    catalogLoaded,
    installedLoaded,
    loadError,
    busy,
    errors,
    loadCatalog,
    loadInstalled,
    install,
    uninstall,
    configure,
    bindGateways,
    setEnabled,
  }
})
