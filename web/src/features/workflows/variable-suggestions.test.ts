import { describe, expect, it } from 'vitest'
import { insertVariable, matchVariables, openExpression, stepsBefore, variablesFor } from './variable-suggestions'
import type { DraftDefinition } from './workflow-graph'

const def: DraftDefinition = {
  trigger: { type: 'event', gatewayId: 'bot', event: 'message' },
  config: { tone: 'kind' },
  steps: [
    { id: 'ai', type: 'transform', value: 1 },
    { id: 'check', type: 'condition', if: 'true', then: 'reply', else: 'other' },
    { id: 'other', type: 'transform', value: 2 },
    { id: 'reply', type: 'transform', value: 3 },
    { id: 'island', type: 'condition', if: 'true', then: 'reply' },
  ],
}

describe('variable suggestions', () => {
  it('knows the steps that can run before a step on the canvas', () => {
    expect(stepsBefore(def, 'ai')).toEqual([])
    expect(stepsBefore(def, 'other')).toEqual(['ai', 'check'])
    // reply is reached from check (then), other (next) and island (then; island follows reply, a cycle).
    expect(stepsBefore(def, 'reply')).toEqual(['ai', 'check', 'other', 'island'])
  })

  it('offers trigger fields, earlier outputs and config keys', () => {
    const vars = variablesFor(def, 'other')
    expect(vars).toContain('trigger.message.text')
    expect(vars).toContain('steps.ai.output')
    expect(vars).toContain('steps.check.output')
    expect(vars).not.toContain('steps.reply.output')
    expect(vars).not.toContain('steps.other.output')
    expect(vars).toContain('config.tone')
    expect(variablesFor({ trigger: { type: 'webhook' }, steps: [] }, null)).toEqual(['trigger.body', 'trigger.query', 'trigger.method'])
  })

  it('finds an open {{ at the caret', () => {
    expect(openExpression('Hi {{ steps.a', 13)).toEqual({ start: 6, prefix: 'steps.a', spaced: true })
    expect(openExpression('{{', 2)).toEqual({ start: 2, prefix: '', spaced: false })
    expect(openExpression('{{ a }} b', 9)).toBeNull()
    expect(openExpression('no braces', 4)).toBeNull()
    expect(openExpression('{{ a + b', 8)).toBeNull()
  })

  it('inserts a variable and closes the braces when needed', () => {
    expect(insertVariable('Hi {{ ste', 9, 'steps.ai.output')).toEqual({ text: 'Hi {{ steps.ai.output }}', caret: 24 })
    expect(insertVariable('{{', 2, 'config.tone')).toEqual({ text: '{{ config.tone }}', caret: 17 })
    expect(insertVariable('{{ tr }} rest', 5, 'trigger.body')).toEqual({ text: '{{ trigger.body }} rest', caret: 15 })
  })

  it('ranks prefix matches first', () => {
    expect(matchVariables(['config.steps', 'steps.ai.output', 'trigger'], 'steps')).toEqual(['steps.ai.output', 'config.steps'])
    expect(matchVariables(['a', 'b'], '')).toEqual(['a', 'b'])
  })

  it('inside a loop body offers the element and index, earlier body steps and what ran before the loop, not the loop', () => {
    const looped: DraftDefinition = {
      trigger: { type: 'manual' },
      steps: [
        { id: 'fetch', type: 'transform', value: [] },
        { id: 'each', type: 'loop', over: 'steps.fetch.output', as: 'row', steps: [{ id: 'a', type: 'transform', value: 1 }, { id: 'b', type: 'transform', value: 2 }] },
        { id: 'after', type: 'transform', value: 3 },
      ],
    }
    expect(stepsBefore(looped, 'b')).toEqual(['fetch', 'a'])
    expect(variablesFor(looped, 'b').slice(0, 2)).toEqual(['row', 'index'])
    expect(variablesFor(looped, 'b')).toContain('steps.a.output')
    expect(variablesFor(looped, 'after')).not.toContain('row')
    expect(stepsBefore(looped, 'after')).toEqual(['fetch', 'each'])
  })
})
