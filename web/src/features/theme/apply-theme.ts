import type { ThemeDefinition } from '@2bot/contracts'
import type { GlobalThemeOverrides } from 'naive-ui'

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/**
 * The CSS variables of a theme: `--color-<name>`, `--font-<name>`, `--radius-<name>`, plus the
 * short names the app's own styles were written with (`--bg`, `--text`, `--accent`, ...), so
 * every stylesheet follows the theme data.
 * @example themeVariables(LIGHT_THEME)['--color-primary'] // '#4f5bd5'
 */
export function themeVariables(theme: ThemeDefinition): Record<string, string> {
  const c = theme.colors
  const vars: Record<string, string> = {}
  for (const [key, value] of Object.entries(c)) if (value) vars[`--color-${kebab(key)}`] = value
  for (const [key, value] of Object.entries(theme.fonts ?? {})) if (value) vars[`--font-${key}`] = value
  for (const [key, value] of Object.entries(theme.borderRadius ?? {})) vars[`--radius-${key}`] = value
  Object.assign(vars, {
    '--bg': c.background,
    '--surface': c.card,
    '--surface-2': c.muted,
    '--text': c.foreground,
    '--text-muted': c.mutedForeground,
    '--border': c.border,
    '--hover': c.accent,
    '--accent': c.primary,
    '--accent-soft': c.secondary,
    '--success': c.success ?? '#18a058',
    '--warning': c.warning ?? '#f0a020',
    '--danger': c.destructive,
    '--danger-soft': `color-mix(in srgb, ${c.destructive} 12%, transparent)`,
  })
  return vars
}

const CUSTOM_CSS_ID = 'theme-custom-css'

/** Writes the theme onto the document: variables on :root, `data-theme`, `color-scheme`, custom CSS. */
export function applyThemeDefinition(theme: ThemeDefinition, doc: Document = document) {
  const root = doc.documentElement
  for (const [name, value] of Object.entries(themeVariables(theme))) root.style.setProperty(name, value)
  root.dataset.theme = theme.type
  root.dataset.themeId = theme.id
  root.style.colorScheme = theme.type
  let style = doc.getElementById(CUSTOM_CSS_ID)
  if (theme.customCSS) {
    if (!style) {
      style = doc.createElement('style')
      style.id = CUSTOM_CSS_ID
      doc.head.appendChild(style)
    }
    style.textContent = theme.customCSS
  } else style?.remove()
}

/** Mixes a #rgb / #rrggbb colour with white (amount > 0) or black (amount < 0); other colours pass through. */
export function shade(color: string, amount: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color)?.[1]
  if (!hex) return color
  const full = hex.length === 3 ? [...hex].map((ch) => ch + ch).join('') : hex
  const target = amount > 0 ? 255 : 0
  const parts = [0, 2, 4].map((i) => {
    const n = parseInt(full.slice(i, i + 2), 16)
    return Math.round(n + (target - n) * Math.abs(amount))
      .toString(16)
      .padStart(2, '0')
  })
  return `#${parts.join('')}`
}

/** The same theme for Naive UI's components. */
export function naiveOverrides(theme: ThemeDefinition): GlobalThemeOverrides {
  const c = theme.colors
  const lighter = theme.type === 'dark' ? -0.12 : 0.12
  return {
    common: {
      primaryColor: c.primary,
      primaryColorHover: shade(c.primary, lighter),
      primaryColorPressed: shade(c.primary, -lighter),
      primaryColorSuppl: shade(c.primary, lighter),
      errorColor: c.destructive,
      errorColorHover: shade(c.destructive, lighter),
      errorColorPressed: shade(c.destructive, -lighter),
      ...(c.success ? { successColor: c.success, successColorHover: shade(c.success, lighter), successColorPressed: shade(c.success, -lighter) } : {}),
      ...(c.warning ? { warningColor: c.warning } : {}),
      bodyColor: c.background,
      cardColor: c.card,
      modalColor: c.card,
      popoverColor: c.popover,
      textColorBase: c.foreground,
      textColor1: c.foreground,
      textColor2: c.foreground,
      textColor3: c.mutedForeground,
      borderColor: c.border,
      dividerColor: c.border,
      ...(theme.fonts?.body ? { fontFamily: theme.fonts.body } : {}),
      ...(theme.fonts?.mono ? { fontFamilyMono: theme.fonts.mono } : {}),
      ...(theme.borderRadius ? { borderRadius: theme.borderRadius.md, borderRadiusSmall: theme.borderRadius.sm } : {}),
    },
    // Text on primary buttons uses the theme's pair colour (dark text on the light dark-mode primary).
    Button: {
      textColorPrimary: c.primaryForeground,
      textColorHoverPrimary: c.primaryForeground,
      textColorPressedPrimary: c.primaryForeground,
      textColorFocusPrimary: c.primaryForeground,
      textColorError: c.destructiveForeground,
      textColorHoverError: c.destructiveForeground,
      textColorPressedError: c.destructiveForeground,
      textColorFocusError: c.destructiveForeground,
    },
  }
}
