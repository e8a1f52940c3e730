import type { GlobalTheme } from 'naive-ui'
import { shallowRef, watch, type Ref } from 'vue'
import type { AppliedTheme } from '../features/theme/theme.store'

let dark: Promise<GlobalTheme> | undefined

/** Loads Naive UI's dark theme (a separate chunk); call before mounting when the first paint is dark. */
export function loadDarkTheme(): Promise<GlobalTheme> {
  dark ??= import('./naive-dark').then((m) => m.darkTheme)
  return dark
}

/** The Naive UI theme object for the applied theme (`null` is Naive's light theme). */
export function useNaiveTheme(applied: Ref<AppliedTheme>) {
  const theme = shallowRef<GlobalTheme | null>(null)
  watch(
    applied,
    async (value) => {
      if (value === 'light') {
        theme.value = null
        return
      }
      const loaded = await loadDarkTheme()
      if (applied.value === 'dark') theme.value = loaded
    },
    { immediate: true },
  )
  return theme
}
