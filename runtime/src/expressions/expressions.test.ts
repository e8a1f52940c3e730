import { describe, expect, it } from 'vitest'
import { Budget, EvaluationLimit } from './budget'
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

describe('the byte budget', () => {
  const MB = 1024 * 1024
  const tooLarge = (fn: () => unknown) => {
    try {
      fn()
    } catch (err) {
      return err
    }
    throw new Error('expected the budget to stop it')
  }

  it('stops a quadratic expression before it is built', () => {
    // join(split(x, ''), x) is |x|² = 1.6e9 characters: past V8's longest string, so had join run,
    // it would have thrown a RangeError instead; the budget refuses it from the sizes alone.
    const x = 'a'.repeat(40_000)
    const started = performance.now()
    const err = tooLarge(() => evaluate("join(split(x, ''), x)", { x }, new Budget(MB)))
    expect(err).toBeInstanceOf(EvaluationLimit)
    expect(err).toMatchObject({ code: 'TEMPLATE_TOO_LARGE', message: expect.stringContaining('larger than 1 MB') })
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('stops a template that repeats a large value, and one that places it under many keys', () => {
    const body = 'b'.repeat(100_000)
    expect(tooLarge(() => render('{{ body }}'.repeat(5000), { body }, new Budget(MB)))).toMatchObject({ code: 'TEMPLATE_TOO_LARGE' })
    // No text is built here, only references: the output's JSON would be 500 MB.
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, '{{ body }}']))
    expect(tooLarge(() => render(wide, { body }, new Budget(MB)))).toMatchObject({ code: 'TEMPLATE_TOO_LARGE' })
    const list = `{{ [${Array(400).fill('body').join(', ')}] }}`
    expect(tooLarge(() => render({ all: list }, { body }, new Budget(MB)))).toMatchObject({ code: 'TEMPLATE_TOO_LARGE' })
  })

  it('charges what functions build: json, upper, + and parseJson of a large value', () => {
    const big = { rows: Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `row ${i}` })) }
    expect(tooLarge(() => evaluate('json(big) + json(big) + json(big)', { big }, new Budget(MB)))).toBeInstanceOf(EvaluationLimit)
    const text = 'x'.repeat(300_000)
    expect(tooLarge(() => evaluate('upper(t) + upper(t) + upper(t) + upper(t)', { t: text }, new Budget(MB)))).toBeInstanceOf(EvaluationLimit)
  })

  it('lets through what fits, counting a concatenation chain once', () => {
    const x = 'x'.repeat(300_000)
    expect((evaluate('x + "," + x + "," + x', { x }, new Budget(MB)) as string).length).toBe(900_002)
    expect(render({ a: '{{ x }}', b: 'and {{ x }}' }, { x }, new Budget(MB))).toEqual({ a: x, b: `and ${x}` })
    expect(evaluate("len(split(x, ''))", { x: 'abc' })).toBe(3)
  })

  it('stops at its deadline however little it builds', () => {
    let now = 0
    const budget = new Budget(MB, { deadline: 10, now: () => (now += 1), message: 'out of time', code: 'EVALUATION_TIMEOUT' })
    const items = Array.from({ length: 50_000 }, (_, i) => i)
    expect(tooLarge(() => evaluate('len(json(items))', { items }, budget))).toMatchObject({ code: 'EVALUATION_TIMEOUT', message: 'out of time' })
  })
})
