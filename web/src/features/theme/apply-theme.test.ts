import { DARK_THEME, LIGHT_THEME, type ThemeDefinition } from '@2bot/contracts'
import { describe, expect, it } from 'vitest'
import { applyThemeDefinition, naiveOverrides, shade, themeVariables } from './apply-theme'

describe('themeVariables', () => {
  it('names every colour, font and radius, and feeds the short names the app styles use', () => {
    const vars = themeVariables(LIGHT_THEME)
    expect(vars['--color-primary']).toBe(LIGHT_THEME.colors.primary)
    expect(vars['--color-card-foreground']).toBe(LIGHT_THEME.colors.cardForeground)
    expect(vars['--font-mono']).toBe(LIGHT_THEME.fonts!.mono)
    expect(vars['--radius-lg']).toBe('10px')
    expect(vars['--bg']).toBe(LIGHT_THEME.colors.background)
    expect(vars['--accent']).toBe(LIGHT_THEME.colors.primary)
    expect(vars['--danger']).toBe(LIGHT_THEME.colors.destructive)
  })
})

describe('applyThemeDefinition', () => {
  it('writes the variables on :root, marks the type and swaps custom CSS', () => {
    applyThemeDefinition(DARK_THEME)
    const root = document.documentElement
    expect(root.style.getPropertyValue('--color-background')).toBe(DARK_THEME.colors.background)
    expect(root.dataset.theme).toBe('dark')
    expect(root.dataset.themeId).toBe('dark')

    const custom: ThemeDefinition = { ...LIGHT_THEME, id: 'custom', customCSS: '.x { color: red }' }
    applyThemeDefinition(custom)
    expect(document.getElementById('theme-custom-css')?.textContent).toBe('.x { color: red }')
    expect(root.style.getPropertyValue('--color-background')).toBe(LIGHT_THEME.colors.background)
    applyThemeDefinition(LIGHT_THEME)
    expect(document.getElementById('theme-custom-css')).toBeNull()
  })
})

describe('naiveOverrides', () => {
  it('gives Naive UI the theme colours, fonts and radius', () => {
    const common = naiveOverrides(LIGHT_THEME).common!
    expect(common.primaryColor).toBe('#4f5bd5')
    expect(common.errorColor).toBe(LIGHT_THEME.colors.destructive)
    expect(common.fontFamily).toBe(LIGHT_THEME.fonts!.body)
    expect(common.borderRadius).toBe('6px')
    expect(naiveOverrides(DARK_THEME).common!.cardColor).toBe(DARK_THEME.colors.card)
    expect(naiveOverrides(DARK_THEME).Button!.textColorPrimary).toBe(DARK_THEME.colors.primaryForeground)
  })

  it('shades hex colours towards white or black and leaves other colours alone', () => {
    expect(shade('#000000', 0.5)).toBe('#808080')
    expect(shade('#fff', -1)).toBe('#000000')
    expect(shade('rgba(1, 2, 3, 0.5)', 0.2)).toBe('rgba(1, 2, 3, 0.5)')
  })
})
