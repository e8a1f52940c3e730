import { createPinia } from 'pinia'
import { createApp } from 'vue'
import { createWebHashHistory, createWebHistory } from 'vue-router'
import App from './App.vue'
import { API_KEY, createApi } from './api/api'
import { createAppRouter } from './app/router'
import { loadDarkTheme } from './app/use-naive-theme'
import { useThemeStore } from './features/theme/theme.store'
import { detectPlatform } from './platform'
import { bindPlatformNavigation } from './platform/deep-links'
import './styles/global.css'

async function boot() {
  const platform = detectPlatform()
  const api = await createApi(platform)

  const app = createApp(App)
  app.provide(API_KEY, api)
  const pinia = createPinia()
  app.use(pinia)

  // The theme is applied to <html> before anything renders; a dark first paint waits for the dark styles.
  const theme = useThemeStore(pinia)
  if (theme.applied === 'dark') await loadDarkTheme()

  // A desktop build may load the app from a file: URL, where only hash routes work.
  const history = location.protocol === 'file:' ? createWebHashHistory() : createWebHistory()
  const router = createAppRouter(pinia, history)
  app.use(router)
  await router.isReady()
  // Desktop: 2bot:// links and tray actions open routes (a link that launched the app included).
  bindPlatformNavigation(platform, router)
  app.mount('#app')
}

boot().catch((err: unknown) => {
  console.error(err)
  const el = document.getElementById('boot-status')
  if (el) el.textContent = 'Could not start 2Bot. Reload the page to try again.'
})
