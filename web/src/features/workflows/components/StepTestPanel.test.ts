import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import StepTestPanel from './StepTestPanel.vue'
import VariableInput from './VariableInput.vue'

describe('StepTestPanel', () => {
  it('starts from the last run and emits the pinned trigger and outputs', async () => {
    const w = mount(StepTestPanel, { props: { stepId: 'reply', defaults: { trigger: { message: { text: 'hi' } }, outputs: { ai: { text: 'ok' } } }, running: false } })
    expect((w.get('[data-testid="panel-pin-trigger"]').element as HTMLTextAreaElement).value).toContain('"text": "hi"')
    await w.get('[data-testid="panel-pin-outputs"]').setValue('{"ai": {"text": "pinned"}}')
    await w.get('[data-testid="panel-run-step"]').trigger('click')
    expect(w.emitted('run')).toEqual([[{ trigger: { message: { text: 'hi' } }, outputs: { ai: { text: 'pinned' } } }]])
  })

  it('refuses JSON that is not an object, naming the field, and emits nothing', async () => {
    const w = mount(StepTestPanel, { props: { stepId: 'reply', defaults: { trigger: {}, outputs: {} }, running: false } })
    await w.get('[data-testid="panel-pin-trigger"]').setValue('[1, 2]')
    await w.get('[data-testid="panel-run-step"]').trigger('click')
    expect(w.get('[data-testid="panel-pin-error"]').text()).toBe('Trigger data must be a JSON object')
    await w.get('[data-testid="panel-pin-trigger"]').setValue('{oops')
    await w.get('[data-testid="panel-run-step"]').trigger('click')
    expect(w.get('[data-testid="panel-pin-error"]').text()).toMatch(/^Trigger data: /)
    expect(w.emitted('run')).toBeUndefined()
  })
})

describe('VariableInput', () => {
  it('offers variables inside {{ and inserts the one picked with the keyboard', async () => {
    const w = mount(VariableInput, { props: { value: 'Hi {{ ste', variables: ['trigger.body', 'steps.ai.output', 'steps.ai.status'], testid: 'f' }, attachTo: document.body })
    const input = w.get('[data-testid="f"]')
    ;(input.element as HTMLInputElement).setSelectionRange(9, 9)
    await input.trigger('keyup')
    expect(w.findAll('[data-testid="variable-option"]').map((o) => o.text())).toEqual(['steps.ai.output', 'steps.ai.status'])
    await input.trigger('keydown', { key: 'ArrowDown' })
    await input.trigger('keydown', { key: 'Enter' })
    expect(w.emitted('update:value')!.at(-1)).toEqual(['Hi {{ steps.ai.status }}'])
    w.unmount()
  })

  it('shows nothing outside an expression', async () => {
    const w = mount(VariableInput, { props: { value: 'plain text', variables: ['trigger.body'], testid: 'f' } })
    const input = w.get('[data-testid="f"]')
    ;(input.element as HTMLInputElement).setSelectionRange(5, 5)
    await input.trigger('keyup')
    expect(w.find('[data-testid="variable-suggestions"]').exists()).toBe(false)
  })
})
