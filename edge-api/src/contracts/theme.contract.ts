import * as v from 'valibot'

/** A CSS colour: hex, rgb()/rgba() or hsl()/hsla(); nothing that could close a declaration. */
const Color = v.pipe(v.string(), v.regex(/^(#[0-9a-fA-F]{3,8}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/]+\))$/, 'Must be a hex, rgb() or hsl() colour'))
const Length = v.pipe(v.string(), v.regex(/^\d+(\.\d+)?(px|rem|em)$/, 'Must be a length like 8px or 0.5rem'))
const FontStack = v.pipe(v.string(), v.maxLength(300), v.regex(/^[\w\s,"'-]+$/, 'Must be a font-family list'))

/**
 * A theme is data (roadmap "Theme System"): colours, fonts and radii, applied as CSS variables
 * (`--color-<name>`, `--font-<name>`, `--radius-<name>`) and as Naive UI theme overrides.
 * `success` and `warning` extend the roadmap's palette for status colours.
 */
export const ThemeDefinitionSchema = v.strictObject({
  id: v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,40}$/)),
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(60)),
  type: v.picklist(['light', 'dark']),
  colors: v.strictObject({
    background: Color,
    foreground: Color,
    card: Color,
    cardForeground: Color,
    popover: Color,
    popoverForeground: Color,
    primary: Color,
    primaryForeground: Color,
    secondary: Color,
    secondaryForeground: Color,
    muted: Color,
    mutedForeground: Color,
    accent: Color,
    accentForeground: Color,
    destructive: Color,
    destructiveForeground: Color,
    border: Color,
    input: Color,
    ring: Color,
    success: v.optional(Color),
    warning: v.optional(Color),
  }),
  fonts: v.optional(v.strictObject({ heading: v.optional(FontStack), body: v.optional(FontStack), mono: v.optional(FontStack) })),
  borderRadius: v.optional(v.strictObject({ sm: Length, md: Length, lg: Length })),
  customCSS: v.optional(v.pipe(v.string(), v.maxLength(20_000))),
})
export type ThemeDefinition = v.InferOutput<typeof ThemeDefinitionSchema>
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
