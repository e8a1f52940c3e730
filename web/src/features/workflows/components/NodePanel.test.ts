import { mount } from '@vue/test-utils'
import { NSelect } from 'naive-ui'
import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { anInstalled } from '../../plugins/plugin-fixtures'
import type { DraftStep } from '../workflow-graph'
import { newStep } from '../workflow-templates'
import NodePanel from './NodePanel.vue'

const TEXT_TOOLS = anInstalled({
  slug: 'text-tools',
  name: 'Text Tools',
  actions: [
    { name: 'slugify', label: 'Make a slug', description: 'Lowercase, dashes only.', params: [{ key: 'text', label: 'Text', type: 'string', required: true }] },
    { name: 'stats', label: 'Count words', params: [] },
  ],
})

function renderPanel(step: DraftStep, plugins: ReturnType<typeof anInstalled>[] | null) {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:any(.*)*', component: { render: () => null } }] })
  return mount(NodePanel, {
    props: { step, trigger: null, gateways: [], gatewayTypes: [], issues: [], plugins },
    global: { plugins: [router] },
  })
}
const select = (w: ReturnType<typeof renderPanel>, testid: string) => w.findAllComponents(NSelect).find((s) => s.attributes('data-testid') === testid)!

describe('NodePanel plugin step', () => {
  it('starts empty so the user picks an installed plugin', () => {
    expect(newStep('plugin', 'plugin')).toEqual({ id: 'plugin', type: 'plugin', plugin: '', action: '', params: {} })
  })

  it('offers the installed plugins by name and the chosen plugin\'s actions, with the action\'s params as a hint', async () => {
    const w = renderPanel({ id: 'p', type: 'plugin', plugin: 'text-tools', action: 'slugify', params: { text: '{{ trigger.text }}' } }, [anInstalled(), TEXT_TOOLS])
    expect(select(w, 'panel-field-plugin').props('options')).toEqual([
      { label: 'Welcome Message', value: 'welcome-message' },
      { label: 'Text Tools', value: 'text-tools' },
    ])
    expect(select(w, 'panel-field-action').props('options')).toEqual([
      { label: 'Make a slug', value: 'slugify' },
      { label: 'Count words', value: 'stats' },
    ])
    const hint = w.get('[data-testid="panel-plugin-action-hint"]').text()
    expect(hint).toContain('Lowercase, dashes only.')
    expect(hint).toContain('text — Text (string, required)')
    expect((w.get('[data-testid="panel-field-params"]').element as HTMLTextAreaElement).value).toContain('{{ trigger.text }}')
    expect(w.find('[data-testid="panel-plugin-none"]').exists()).toBe(false)
  })

  it('picking a plugin sets its first action; picking an action commits it', async () => {
    const w = renderPanel({ id: 'p', type: 'plugin', plugin: '', action: '', params: {} }, [anInstalled(), TEXT_TOOLS])
    select(w, 'panel-field-plugin').vm.$emit('update:value', 'text-tools')
    await w.vm.$nextTick()
    expect(w.emitted('update')!.at(-1)).toEqual(['p', { id: 'p', type: 'plugin', plugin: 'text-tools', action: 'slugify', params: {} }])
    await w.setProps({ step: w.emitted('update')!.at(-1)![1] as DraftStep })
    select(w, 'panel-field-action').vm.$emit('update:value', 'stats')
    expect(w.emitted('update')!.at(-1)).toEqual(['p', { id: 'p', type: 'plugin', plugin: 'text-tools', action: 'stats', params: {} }])
    await w.vm.$nextTick()
    expect(w.get('[data-testid="panel-plugin-action-hint"]').text()).toContain('takes no params')
  })

  it('keeps a step\'s plugin that is not installed, and links to the Marketplace when none is', () => {
    const w = renderPanel({ id: 'p', type: 'plugin', plugin: 'gone', action: 'run', params: {} }, [])
    expect(select(w, 'panel-field-plugin').props('options')).toEqual([{ label: 'gone (not installed)', value: 'gone' }])
    expect(select(w, 'panel-field-action').props('options')).toEqual([{ label: 'run', value: 'run' }])
    const none = w.get('[data-testid="panel-plugin-none"]')
    expect(none.get('a').attributes('href')).toBe('/marketplace')
  })

  it('shows no hint while the plugins are still loading', () => {
    const w = renderPanel({ id: 'p', type: 'plugin', plugin: '', action: '', params: {} }, null)
    expect(w.find('[data-testid="panel-plugin-none"]').exists()).toBe(false)
  })
})
