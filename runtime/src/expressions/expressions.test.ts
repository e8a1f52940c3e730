import { describe, expect, it } from 'vitest'
import { evaluate, ExpressionError } from './evaluate'
import { render } from './template'

const scope = {
  trigger: { message: { text: 'Hello', chat: { id: 42 } } },
  steps: { fetch: { output: [{ views: 10 }, { views: 500 }] }, ai: { output: { text: 'Hi!' } } },
  config: { minViews: 100, tags: ['a', 'b'] },
}

describe('evaluate', () => {
  it.each([
    ['trigger.message.text', 'Hello'],
    ['steps.fetch.output[1].views >= config.minViews', true],
    ['steps.fetch.output.length', 2],
    ['len(config.tags) + 1', 3],
    ['upper(trigger.message.text) == "HELLO"', true],
    ['steps.missing.output.text', undefined],
    ['default(steps.missing, "fallback")', 'fallback'],
    ['trigger.message.chat.id == "42"', false],
    ['config.minViews > 50 ? "many" : "few"', 'many'],
    ['!includes(config.tags, "c") && true', true],
    ['join(config.tags, "+")', 'a+b'],
  ])('%s → %j', (expression, expected) => {
    expect(evaluate(expression, scope)).toEqual(expected)
  })

  it.each([
    'constructor.constructor("return process")()',
    'trigger.__proto__',
    'trigger["constructor"]',
    'trigger.message.text.toUpperCase()',
    'this',
    'eval("1")',
    'trigger = 1',
  ])('refuses %s', (expression) => {
    expect(() => evaluate(expression, scope)).toThrow(ExpressionError)
  })

  it('does not see inherited members', () => {
    expect(evaluate('trigger.hasOwnProperty', scope)).toBeUndefined()
    expect(evaluate('config.tags.map', scope)).toBeUndefined()
  })
})

describe('render', () => {
  it('keeps raw values for a lone placeholder and stringifies mixed text', () => {
    const out = render(
      { list: '{{ steps.fetch.output }}', text: 'Say: {{ steps.ai.output.text }} to #{{trigger.message.chat.id}}', n: 3, nested: ['{{ config.minViews }}'] },
      scope,
    )
    expect(out).toEqual({ list: scope.steps.fetch.output, text: 'Say: Hi! to #42', n: 3, nested: [100] })
  })

  it('never mutates its input', () => {
    const input = { a: ['{{ config.minViews }}'] }
    render(input, scope)
    expect(input).toEqual({ a: ['{{ config.minViews }}'] })
  })
})
