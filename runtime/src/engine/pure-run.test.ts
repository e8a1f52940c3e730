import { describe, expect, it } from 'vitest'
import { workflow } from '../test/builders'
import { isPureWorkflow, runPureWorkflow } from './pure-run'

describe('pure runs (synchronous webhooks run where they arrive)', () => {
  const pure = workflow([
    { id: 'check', type: 'condition', if: 'len(trigger.body.text) > 0', else: null },
    { id: 'shout', type: 'transform', value: { reply: '{{ upper(trigger.body.text) }}' } },
  ])

  it('knows a pure workflow: transforms and conditions only', () => {
    expect(isPureWorkflow(pure)).toBe(true)
    expect(isPureWorkflow(workflow([{ id: 'send', type: 'gateway', gatewayId: 'g', action: 'sendMessage', params: {} }]))).toBe(false)
    expect(isPureWorkflow(workflow([{ id: 'js', type: 'code', source: 'return 1' }]))).toBe(false)
    expect(isPureWorkflow(workflow([{ id: 'each', type: 'loop', over: '[1]', steps: [{ id: 't', type: 'transform', value: 1 }] }]))).toBe(false)
  })

  it('runs it with the engine and hands back the final state with every step record for the platform to keep', async () => {
    const state = await runPureWorkflow({ executionId: 'ex1', definition: pure, trigger: { body: { text: 'hi' } } })
    expect(state.status).toBe('completed')
    expect(state.lastOutput).toEqual({ reply: 'HI' })
    expect(Object.entries(state.steps).map(([key, r]) => [key, r.status])).toEqual([['check', 'completed'], ['shout', 'completed']])
  })

  it('reports a failing expression as a failed run with the step named, like the runtime does', async () => {
    const broken = workflow([{ id: 'bad', type: 'transform', value: '{{ nope( }}' }])
    const state = await runPureWorkflow({ executionId: 'ex2', definition: broken, trigger: {} })
    expect(state.status).toBe('failed')
    expect(state.error).toMatchObject({ stepKey: 'bad', kind: 'USER' })
    expect(state.steps.bad?.status).toBe('failed')
  })

  it('stops a run past its CPU budget (100 ms) as the user’s fault, well before the work it asked for', async () => {
    // 50 steps filtering 1,000 items through a long expression: about 2 s of work unbounded.
    const filter = Array(60).fill('len(string(item)) >= 0').join(' && ')
    const steps = Array.from({ length: 50 }, (_, i) => ({ id: `s${i}`, type: 'transform', input: 'trigger.items', filter }))
    const heavy = workflow(steps, { trigger: { type: 'webhook', respond: 'lastStep' } })
    expect(isPureWorkflow(heavy)).toBe(true)
    const started = performance.now()
    const state = await runPureWorkflow({ executionId: 'ex4', definition: heavy, trigger: { items: Array.from({ length: 1000 }, (_, i) => i) } })
    const elapsed = performance.now() - started
    expect(state.status).toBe('failed')
    expect(state.error).toMatchObject({ kind: 'USER', code: 'RUN_CPU_LIMIT', message: expect.stringContaining('100 ms of CPU') })
    expect(Object.keys(state.steps).length).toBeLessThan(50)
    expect(elapsed).toBeLessThan(1000)
  })

  it('refuses a workflow that reaches outside', async () => {
    await expect(runPureWorkflow({ executionId: 'ex3', definition: workflow([{ id: 'w', type: 'delay', ms: 1 }]), trigger: {} })).rejects.toThrow(/pure steps only/)
  })
})
