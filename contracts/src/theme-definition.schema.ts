import * as v from 'valibot'
import type { ThemeDefinition } from './theme.contract'

/** A CSS colour: hex, rgb()/rgba() or hsl()/hsla(); nothing that could close a declaration. */
const Color = v.pipe(v.string(), v.regex(/^(#[0-9a-fA-F]{3,8}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/]+\))$/, 'Must be a hex, rgb() or hsl() colour'))
const Length = v.pipe(v.string(), v.regex(/^\d+(\.\d+)?(px|rem|em)$/, 'Must be a length like 8px or 0.5rem'))
const FontStack = v.pipe(v.string(), v.maxLength(300), v.regex(/^[\w\s,"'-]+$/, 'Must be a font-family list'))

/** Checks a theme definition (e.g. one from the marketplace) before it is applied. */
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

// The schema and the interface must describe the same thing (a compile-time check).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Assert<T extends true> = T
export type ThemeSchemaMatchesInterface = Assert<Same<v.InferOutput<typeof ThemeDefinitionSchema>, ThemeDefinition>>

