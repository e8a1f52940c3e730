import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { ThemeDefinitionSchema } from './theme-definition.schema'
import { BUILT_IN_THEMES } from './theme.contract'

describe('theme definitions', () => {
  it('accepts the built-in themes', () => {
    for (const theme of Object.values(BUILT_IN_THEMES)) expect(v.safeParse(ThemeDefinitionSchema, theme).success).toBe(true)
  })

  it('refuses values that could escape a CSS declaration', () => {
    const evil = structuredClone(BUILT_IN_THEMES.light)
    evil.colors.primary = 'red; background: url(https://evil.example)'
    expect(v.safeParse(ThemeDefinitionSchema, evil).success).toBe(false)
    const font = structuredClone(BUILT_IN_THEMES.dark)
    font.fonts = { body: 'x; } body { display: none' }
    expect(v.safeParse(ThemeDefinitionSchema, font).success).toBe(false)
  })
})
