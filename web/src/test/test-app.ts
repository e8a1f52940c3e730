import { createPinia, setActivePinia } from 'pinia'
import { createApp } from 'vue'
import { API_KEY, type Api } from '../api/api'

/** A Vue app with Pinia and the API provided, as main.ts builds it, so setup stores can `useApi()`. */
export function testApp(api: Api) {
  const app = createApp({ render: () => null })
  app.provide(API_KEY, api)
  const pinia = createPinia()
  app.use(pinia)
  setActivePinia(pinia)
  return { app, pinia }
}

/** A controllable `(prefers-color-scheme: dark)` media query. */
export function fakeColorScheme(initiallyDark: boolean) {
  const listeners = new Set<(e: { matches: boolean }) => void>()
  const mql = {
    matches: initiallyDark,
    media: '(prefers-color-scheme: dark)',
    addEventListener: (_: 'change', l: (e: { matches: boolean }) => void) => listeners.add(l),
    removeEventListener: (_: 'change', l: (e: { matches: boolean }) => void) => listeners.delete(l),
  }
  return {
    matchMedia: (query: string) => {
      if (query !== mql.media) throw new Error(`unexpected media query ${query}`)
      return mql as unknown as MediaQueryList
    },
    setDark(dark: boolean) {
      mql.matches = dark
      listeners.forEach((l) => l({ matches: dark }))
    },
  }
}
