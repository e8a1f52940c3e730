import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import StepPalette from './StepPalette.vue'

describe('StepPalette', () => {
  it('adds a plugin step like any other', async () => {
    const w = mount(StepPalette)
    expect(w.get('[data-testid="palette-plugin"]').text()).toBe('Plugin')
    await w.get('[data-testid="palette-plugin"]').trigger('click')
    expect(w.emitted('add')).toEqual([['plugin']])
  })
})
