/**
 * A theme is data (roadmap "Theme System"): colours, fonts and radii, applied as CSS variables
 * (`--color-<name>`, `--font-<name>`, `--radius-<name>`) and as Naive UI theme overrides.
 * `success` and `warning` extend the roadmap's palette for status colours. The valibot schema
 * that checks a definition is in `theme-definition.schema.ts` (kept apart so the app's first
 * paint loads the built-in themes without the validator).
 */
export interface ThemeDefinition {
  id: string
  name: string
  type: 'light' | 'dark'
  colors: {
    background: string
    foreground: string
    card: string
    cardForeground: string
    popover: string
    popoverForeground: string
    primary: string
    primaryForeground: string
    secondary: string
    secondaryForeground: string
    muted: string
    mutedForeground: string
    accent: string
    accentForeground: string
    destructive: string
    destructiveForeground: string
    border: string
    input: string
    ring: string
    success?: string
    warning?: string
  }
  fonts?: { heading?: string; body?: string; mono?: string }
  borderRadius?: { sm: string; md: string; lg: string }
  customCSS?: string
}
export type ThemeColors = ThemeDefinition['colors']

const FONTS = {
  body: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  heading: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  mono: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
}
const RADIUS = { sm: '4px', md: '6px', lg: '10px' }

export const LIGHT_THEME: ThemeDefinition = {
  id: 'light',
  name: 'Light',
  type: 'light',
  colors: {
    background: '#f6f7fb',
    foreground: '#1f2330',
    card: '#ffffff',
    cardForeground: '#1f2330',
    popover: '#ffffff',
    popoverForeground: '#1f2330',
    primary: '#4f5bd5',
    primaryForeground: '#ffffff',
    secondary: 'rgba(79, 91, 213, 0.12)',
    secondaryForeground: '#3f4ac0',
    muted: '#fbfbfe',
    mutedForeground: '#5f6677',
    accent: 'rgba(79, 91, 213, 0.07)',
    accentForeground: '#1f2330',
    destructive: '#d03050',
    destructiveForeground: '#ffffff',
    border: '#e4e6ee',
    input: '#e4e6ee',
    ring: '#4f5bd5',
    success: '#18a058',
    warning: '#f0a020',
  },
  fonts: FONTS,
  borderRadius: RADIUS,
}

export const DARK_THEME: ThemeDefinition = {
  id: 'dark',
  name: 'Dark',
  type: 'dark',
  colors: {
    background: '#101014',
    foreground: '#e8e9ef',
    card: '#18181c',
    cardForeground: '#e8e9ef',
    popover: '#202024',
    popoverForeground: '#e8e9ef',
    primary: '#8f99ff',
    primaryForeground: '#101014',
    secondary: 'rgba(143, 153, 255, 0.16)',
    secondaryForeground: '#b3baff',
    muted: '#141418',
    mutedForeground: '#9aa0b0',
    accent: 'rgba(255, 255, 255, 0.06)',
    accentForeground: '#e8e9ef',
    destructive: '#e88080',
    destructiveForeground: '#101014',
    border: '#2c2c33',
    input: '#2c2c33',
    ring: '#8f99ff',
    success: '#63e2b7',
    warning: '#f2c97d',
  },
  fonts: FONTS,
  borderRadius: RADIUS,
}

/** The built-in themes by the applied mode; "system" picks one of them from the OS setting. */
export const BUILT_IN_THEMES: Record<'light' | 'dark', ThemeDefinition> = { light: LIGHT_THEME, dark: DARK_THEME }
