import { describe, expect, it } from 'vitest'
import { validateWorkflow } from './workflow.contract'

const autoReply = {
  trigger: { type: 'event', gatewayId: 'gw_bot', event: 'message', filters: { textPattern: '^hi' } },
  steps: [
    { id: 'ai', type: 'gateway', gatewayId: 'gw_ai', action: 'chat', params: { messages: [{ role: 'user', content: '{{ trigger.message.text }}' }] } },
    { id: 'check', type: 'condition', if: 'steps.ai.output.text != ""', else: null },
    { id: 'reply', type: 'gateway', gatewayId: 'gw_bot', action: 'sendMessage', params: { chat_id: '{{ trigger.message.chat.id }}', text: '{{ steps.ai.output.text }}' }, onError: 'retry', retry: { maxAttempts: 3 } },
  ],
}

describe('validateWorkflow', () => {
  it('accepts the auto-reply workflow and fills defaults', () => {
    const result = validateWorkflow(autoReply)
    expect(result.ok).toBe(true)
    if (result.ok) {
      expect(result.definition.steps[0]).toMatchObject({ onError: 'stop' })
      expect(result.definition.steps[2]).toMatchObject({ retry: { maxAttempts: 3, backoffMs: 1000 } })
    }
  })

  it('names the failing step and field', () => {
    const bad = structuredClone(autoReply) as { steps: Record<string, unknown>[] }
    bad.steps[2]!.retry = { maxAttempts: 99 }
    const result = validateWorkflow(bad)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.issues[0]).toMatchObject({ stepId: 'reply', path: 'steps.2.retry.maxAttempts' })
  })

  it('names the step inside a loop body', () => {
    const result = validateWorkflow({
      trigger: { type: 'manual' },
      steps: [{ id: 'each', type: 'loop', over: 'trigger.items', steps: [{ id: 'wait', type: 'delay', ms: -1 }] }],
    })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.issues[0]).toMatchObject({ stepId: 'wait', path: 'steps.0.steps.0.ms' })
  })

  it.each([
    [{ trigger: { type: 'schedule', cron: 'every tuesday' }, steps: [{ id: 'a', type: 'delay', ms: 1 }] }, 'cron'],
    [{ trigger: { type: 'schedule', cron: '0 9 * * *', timezone: 'Mars/Base' }, steps: [{ id: 'a', type: 'delay', ms: 1 }] }, 'time zone'],
    [{ trigger: { type: 'manual' }, steps: [] }, 'at least one step'],
    [{ trigger: { type: 'manual' }, steps: [{ id: 'a', type: 'delay', ms: 1 }, { id: 'a', type: 'delay', ms: 1 }] }, 'used twice'],
    [{ trigger: { type: 'manual' }, steps: [{ id: 'c', type: 'condition', if: 'true', then: 'nowhere' }] }, 'not a top-level step'],
    [{ trigger: { type: 'manual' }, steps: Array.from({ length: 51 }, (_, i) => ({ id: `s${i}`, type: 'delay', ms: 0 })) }, 'at most 50 steps'],
    [{ trigger: { type: 'manual' }, steps: [{ id: 'x', type: 'teleport' }] }, 'type'],
    [{ trigger: { type: 'event', gatewayId: 'g', event: 'message', filters: { textPattern: '(' } }, steps: [{ id: 'a', type: 'delay', ms: 1 }] }, 'regular expression'],
  ])('refuses %j', (definition, message) => {
    const result = validateWorkflow(definition)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.issues.map((i) => i.message).join(' | ')).toMatch(new RegExp(message, 'i'))
  })

  it.each([
    ['(a)\\1', 'invalid escape sequence'],
    ['^(?=order)', 'unsupported Perl syntax'],
    ['(?<!x)a', 'RE2 syntax'],
    ['(.*){1,300}x', 'too complex'],
  ])('refuses the text pattern %s with RE2, naming the field', (textPattern, reason) => {
    const result = validateWorkflow({ trigger: { type: 'event', gatewayId: 'g', event: 'message', filters: { textPattern } }, steps: [{ id: 'a', type: 'delay', ms: 1 }] })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.issues).toEqual([{ path: 'trigger.filters.textPattern', message: expect.stringContaining(reason) }])
  })

  it('accepts what RE2 matches in linear time, catastrophic-looking patterns included', () => {
    for (const textPattern of ['^order #\\d+$', '(?i)\\b(price|cost)\\b', '(a+)+$', '(?<id>\\d+)']) {
      expect(validateWorkflow({ trigger: { type: 'event', gatewayId: 'g', event: 'message', filters: { textPattern } }, steps: [{ id: 'a', type: 'delay', ms: 1 }] }).ok).toBe(true)
    }
  })
})
