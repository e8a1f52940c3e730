import { BUILT_IN_THEMES, THEME_PREFERENCES, type ThemeDefinition, type ThemePreference } from '@2bot/contracts'
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { useAuthStore } from '../auth/auth.store'
import { applyThemeDefinition, naiveOverrides } from './apply-theme'

export const THEME_STORAGE_KEY = '2bot.theme'
const DARK_QUERY = '(prefers-color-scheme: dark)'

export type AppliedTheme = 'light' | 'dark'

function isPreference(x: unknown): x is ThemePreference {
  return (THEME_PREFERENCES as readonly unknown[]).includes(x)
}

/** The preference saved for first paint, before the session is known. */
export function storedPreference(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): ThemePreference {
  try {
    const saved = storage?.getItem(THEME_STORAGE_KEY)
    return isPreference(saved) ? saved : 'system'
  } catch {
    return 'system'
  }
}

export function resolveTheme(preference: ThemePreference, systemDark: boolean): AppliedTheme {
  return preference === 'system' ? (systemDark ? 'dark' : 'light') : preference
}

/**
 * Light, dark or system (the built-in theme definitions; system follows the OS live). Applies at once, is kept in localStorage for the next first paint,
 * and is saved to the account (PATCH /api/users/me) when someone is signed in.
 */
export const useThemeStore = defineStore('theme', () => {
  const auth = useAuthStore()
  const preference = ref<ThemePreference>(storedPreference())
  const media = typeof window.matchMedia === 'function' ? window.matchMedia(DARK_QUERY) : undefined
  const systemDark = ref(media?.matches ?? false)
  media?.addEventListener('change', (e) => {
    systemDark.value = e.matches
  })

  const applied = computed<AppliedTheme>(() => resolveTheme(preference.value, systemDark.value))
  /** The theme as data; its colours, fonts and radii become CSS variables and Naive UI overrides. */
  const definition = computed<ThemeDefinition>(() => BUILT_IN_THEMES[applied.value])
  const overrides = computed(() => naiveOverrides(definition.value))
  watch(definition, (theme) => applyThemeDefinition(theme), { immediate: true })

  function remember(p: ThemePreference) {
    preference.value = p
    try {
      localStorage.setItem(THEME_STORAGE_KEY, p)
    } catch {
      // Private mode or storage full: the theme still applies for this visit.
    }
  }

  /** Sets the theme from the UI; resolves when the account has it too (rejects with the ApiError otherwise). */
  async function setPreference(p: ThemePreference) {
    remember(p)
    if (auth.user && auth.user.theme !== p) await auth.updateMe({ theme: p })
  }

  /** Flips between light and dark from whatever is showing now. */
  function toggle() {
    return setPreference(applied.value === 'dark' ? 'light' : 'dark')
  }

  // The account's preference wins over this device's once the session is known.
  auth.onSignedIn((user) => remember(user.theme))
  if (auth.user) remember(auth.user.theme)

  return { preference, systemDark, applied, definition, overrides, setPreference, toggle }
})
