import { describe, expect, it } from 'vitest'
import { defaultExecutors } from '../steps/registry'
import { testDeps, workflow } from '../test/builders'
import { runWorkflow } from './engine'
import { abortableSleep } from './sleep'
import type { RunState, StepExecutor } from './types'

const registry = defaultExecutors()
const run = (definition: ReturnType<typeof workflow>, deps: ReturnType<typeof testDeps>['deps'], extra: Partial<Parameters<typeof runWorkflow>[0]> = {}) =>
  runWorkflow({ executionId: 'ex1', definition, trigger: { message: { text: 'hello', chat: { id: 7 } } }, ...extra }, registry, deps)

describe('engine: flow', () => {
  it('runs steps in order, each seeing the outputs before it, and checkpoints after every step', async () => {
    const t = testDeps()
    const state = await run(
      workflow([
        { id: 'greet', type: 'transform', value: { text: 'Re: {{ trigger.message.text }}' } },
        { id: 'shout', type: 'transform', value: '{{ upper(steps.greet.output.text) }}' },
        { id: 'send', type: 'gateway', gatewayId: 'bot', action: 'sendMessage', params: { chat_id: '{{ trigger.message.chat.id }}', text: '{{ steps.shout.output }}' } },
      ]),
      t.deps,
    )
    expect(state.status).toBe('completed')
    expect(t.gatewayCalls).toEqual([{ gatewayId: 'bot', action: 'sendMessage', params: { chat_id: 7, text: 'RE: HELLO' }, idempotencyKey: 'ex1:send' }])
    expect(t.checkpoints.map((c) => [c.key, c.state.cursor])).toEqual([['greet', 'shout'], ['shout', 'send'], ['send', null]])
    expect(t.checkpoints.at(-1)!.state.status).toBe('completed')
    expect(state.lastOutput).toEqual({ ok: true, echo: { chat_id: 7, text: 'RE: HELLO' } })
  })

  it('branches on conditions: then/else jump, null ends the run', async () => {
    const definition = workflow([
      { id: 'check', type: 'condition', if: 'len(trigger.message.text) > 3', then: 'long', else: 'short' },
      { id: 'short', type: 'transform', value: 'short', },
      { id: 'stop', type: 'condition', if: 'true', then: null },
      { id: 'long', type: 'transform', value: 'long' },
    ])
    const t = testDeps()
    const long = await run(definition, t.deps)
    expect(Object.keys(long.steps)).toEqual(['check', 'long'])
    const short = await runWorkflow({ executionId: 'ex2', definition, trigger: { message: { text: 'hi' } } }, registry, testDeps().deps)
    expect(Object.keys(short.steps)).toEqual(['check', 'short', 'stop'])
    expect(short.status).toBe('completed')
  })

  it('loops over a list with item and index, checkpointing each body step', async () => {
    const t = testDeps()
    const state = await run(
      workflow([
        { id: 'each', type: 'loop', over: '[1, 2, 3]', as: 'n', steps: [
          { id: 'double', type: 'transform', value: '{{ n * 2 }}' },
          { id: 'label', type: 'transform', value: '#{{ index }}={{ steps.double.output }}' },
        ] },
      ]),
      t.deps,
    )
    expect(state.steps.each!.output).toEqual(['#0=2', '#1=4', '#2=6'])
    expect(t.checkpoints.map((c) => c.key)).toEqual(['each[0].double', 'each[0].label', 'each[1].double', 'each[1].label', 'each[2].double', 'each[2].label', 'each'])
  })

  it('filters and maps lists in a transform', async () => {
    const state = await run(
      workflow([
        { id: 'posts', type: 'transform', value: [{ v: 10, t: 'a' }, { v: 500, t: 'b' }, { v: 200, t: 'c' }] },
        { id: 'popular', type: 'transform', input: 'steps.posts.output', filter: 'item.v >= config.min', map: '{{ item.t }}' },
      ], { config: { min: 100 } }),
      testDeps().deps,
    )
    expect(state.steps.popular!.output).toEqual(['b', 'c'])
  })
})

describe('engine: errors and retries', () => {
  it('stops the run on a failing step by default, tagged USER or SYSTEM', async () => {
    const t = testDeps({ httpResult: () => ({ status: 404, headers: {}, body: 'nope' }) })
    const state = await run(workflow([{ id: 'call', type: 'webhook', url: 'https://example.com/x' }, { id: 'after', type: 'transform', value: 1 }]), t.deps)
    expect(state.status).toBe('failed')
    expect(state.error).toMatchObject({ stepKey: 'call', kind: 'USER', code: 'HTTP_STATUS' })
    expect(state.steps.after).toBeUndefined()
  })

  it('continues past a failure when onError is continue, exposing the error to later steps', async () => {
    const state = await run(
      workflow([
        { id: 'bad', type: 'transform', value: '{{ nosuchfn() }}', onError: 'continue' },
        { id: 'after', type: 'transform', value: '{{ steps.bad.status }}' },
      ]),
      testDeps().deps,
    )
    expect(state.status).toBe('completed')
    expect(state.steps.bad).toMatchObject({ status: 'failed', error: { kind: 'USER', code: 'EXPRESSION' } })
    expect(state.steps.after!.output).toBe('failed')
  })

  it('retries with exponential backoff and jitter, then fails with exhausted retries (dead letter)', async () => {
    const t = testDeps({ httpResult: () => ({ status: 503, headers: {}, body: '' }) })
    const state = await run(workflow([{ id: 'call', type: 'webhook', url: 'https://example.com', onError: 'retry', retry: { maxAttempts: 4, backoffMs: 1000, maxBackoffMs: 3000 } }]), t.deps)
    expect(t.httpRequests).toHaveLength(4)
    // random() = 0.5 → 75 % of min(max, base × 2^(n-1))
    expect(t.sleeps).toEqual([750, 1500, 2250])
    expect(t.started.map((s) => s.attempt)).toEqual([1, 2, 3, 4])
    expect(state.error).toMatchObject({ kind: 'SYSTEM', exhaustedRetries: true })
    expect(state.steps.call!.attempts).toBe(4)
  })

  it('does not retry failures that a retry cannot fix', async () => {
    const t = testDeps({ httpResult: () => ({ status: 400, headers: {}, body: '' }) })
    await run(workflow([{ id: 'call', type: 'webhook', url: 'https://example.com', onError: 'retry', retry: { maxAttempts: 5 } }]), t.deps)
    expect(t.httpRequests).toHaveLength(1)
  })

  it('refuses an output over 1 MB', async () => {
    const state = await run(workflow([{ id: 'big', type: 'transform', value: '{{ join(split(string(slice(json(config), 0, 0)), ""), "") }}' }, { id: 'huge', type: 'code', source: "return 'x'.repeat(1100000)" }]), testDeps().deps)
    expect(state.error).toMatchObject({ stepKey: 'huge', code: 'OUTPUT_TOO_LARGE' })
  })

  it("fails a run whose outputs together outgrow the run's data limit, at the step that would cross it", async () => {
    // 300 iterations of ~1 MB each: every output is within its own limit, together they are not.
    const definition = workflow([{ id: 'grow', type: 'loop', over: 'trigger.items', steps: [{ id: 'big', type: 'transform', value: '{{ trigger.text }}{{ trigger.text }}' }] }])
    // Each record also carries its key and bookkeeping (~170 bytes), counted with its output.
    const state = await run(definition, testDeps().deps, { trigger: { text: 'x'.repeat(2 ** 19 - 200), items: Array.from({ length: 300 }, (_, i) => i) } })
    expect(state.status).toBe('failed')
    expect(state.error).toMatchObject({ kind: 'USER', code: 'RUN_DATA_TOO_LARGE', stepKey: 'grow' })
    expect(state.error?.message).toContain('8 MB')
    // Eight iterations of ~1 MB fit; the ninth would cross 8 MB and fails there.
    expect(state.steps['grow[8].big']).toMatchObject({ status: 'failed', error: { code: 'RUN_DATA_TOO_LARGE' } })
    expect(Object.keys(state.steps).filter((k) => state.steps[k]!.status === 'completed')).toHaveLength(8)
  })

  it('fails a loop over more than 1,000 items', async () => {
    const state = await run(workflow([{ id: 'l', type: 'loop', over: 'trigger.items', steps: [{ id: 'x', type: 'transform', value: 1 }] }]), testDeps().deps, {
      trigger: { items: Array.from({ length: 1001 }, (_, i) => i) },
    })
    expect(state.error).toMatchObject({ stepKey: 'l', code: 'LOOP_LIMIT' })
  })

  it('reports plugins as unavailable, as a USER error', async () => {
    const state = await run(workflow([{ id: 'p', type: 'plugin', plugin: 'analytics', action: 'track' }]), testDeps().deps)
    expect(state.error).toMatchObject({ kind: 'USER', code: 'PLUGIN_UNAVAILABLE' })
  })
})

describe('engine: time limits and cancel', () => {
  const stuck: StepExecutor = { sideEffects: true, execute: () => new Promise(() => {}) }

  it('times out a step that hangs, even if it ignores its signal', async () => {
    const t = testDeps()
    const state = await runWorkflow(
      { executionId: 'e', definition: workflow([{ id: 'hang', type: 'gateway', gatewayId: 'g', action: 'x', timeoutMs: 30 }]), trigger: {} },
      { ...registry, gateway: stuck as never },
      { ...t.deps, now: Date.now },
    )
    expect(state.error).toMatchObject({ stepKey: 'hang', code: 'STEP_TIMEOUT', kind: 'SYSTEM' })
  })

  it('ends the run at its deadline', async () => {
    const t = testDeps()
    const state = await runWorkflow(
      { executionId: 'e', definition: workflow([{ id: 'wait', type: 'delay', ms: 10_000 }]), trigger: {} },
      registry,
      { ...t.deps, now: Date.now, sleep: abortableSleep, limits: { maxRunMs: 40 } },
    )
    expect(state).toMatchObject({ status: 'failed', error: { code: 'RUN_TIMEOUT' } })
  })

  it('cancels at once, even inside a stuck step', async () => {
    const controller = new AbortController()
    const t = testDeps()
    const pending = runWorkflow(
      { executionId: 'e', definition: workflow([{ id: 'hang', type: 'gateway', gatewayId: 'g', action: 'x' }, { id: 'next', type: 'transform', value: 1 }]), trigger: {}, signal: controller.signal },
      { ...registry, gateway: stuck as never },
      { ...t.deps, now: Date.now },
    )
    setTimeout(() => controller.abort(), 20)
    const state = await pending
    expect(state.status).toBe('cancelled')
    expect(state.steps.next).toBeUndefined()
  })

  it('a cancel that lands while the step start is being recorded ends the run cleanly (no stray rejection)', async () => {
    const controller = new AbortController()
    const t = testDeps()
    let unhandled: unknown
    const onUnhandled = (reason: unknown) => (unhandled = reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const state = await runWorkflow(
        { executionId: 'e', definition: workflow([{ id: 'wait', type: 'delay', ms: 10_000 }]), trigger: {}, signal: controller.signal },
        registry,
        // The platform answers the step-start call just as the user's cancel arrives.
        { ...t.deps, sleep: abortableSleep, stepStarted: async () => controller.abort(new Error('cancelled')) },
      )
      expect(state.status).toBe('cancelled')
      await new Promise((r) => setTimeout(r, 20))
      expect(unhandled).toBeUndefined()
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})

describe('engine: resume after a crash', () => {
  it('never runs a checkpointed step again, and re-runs the one in flight', async () => {
    const definition = workflow([
      { id: 'a', type: 'gateway', gatewayId: 'g', action: 'one' },
      { id: 'b', type: 'gateway', gatewayId: 'g', action: 'two' },
      { id: 'c', type: 'gateway', gatewayId: 'g', action: 'three' },
    ])
    const first = testDeps()
    let saved: RunState | undefined
    // The process "dies" while step b runs: its checkpoint never lands.
    first.deps.checkpoint = async (e) => {
      if (e.key === 'b') throw new Error('SIGKILL')
      saved = e.state
    }
    await expect(run(definition, first.deps)).rejects.toThrow('SIGKILL')
    expect(first.gatewayCalls.map((c) => c.action)).toEqual(['one', 'two'])

    const second = testDeps()
    const state = await run(definition, second.deps, { state: saved })
    expect(state.status).toBe('completed')
    expect(second.gatewayCalls.map((c) => c.action)).toEqual(['two', 'three'])
    expect(second.gatewayCalls[0]!.idempotencyKey).toBe(first.gatewayCalls[1]!.idempotencyKey)
  })

  it('resumes inside a loop, skipping finished iterations', async () => {
    const definition = workflow([{ id: 'each', type: 'loop', over: '[1, 2, 3, 4]', steps: [{ id: 'send', type: 'gateway', gatewayId: 'g', action: 'send', params: { n: '{{ item }}' } }] }])
    const first = testDeps()
    let saved: RunState | undefined
    first.deps.checkpoint = async (e) => {
      if (e.key === 'each[2].send') throw new Error('SIGKILL')
      saved = e.state
    }
    await expect(run(definition, first.deps)).rejects.toThrow()
    const second = testDeps()
    const state = await run(definition, second.deps, { state: saved })
    expect(second.gatewayCalls.map((c) => (c.params as { n: number }).n)).toEqual([3, 4])
    expect(state.steps.each!.output).toHaveLength(4)
  })

  it('returns a finished state untouched', async () => {
    const t = testDeps()
    const done = await run(workflow([{ id: 'a', type: 'gateway', gatewayId: 'g', action: 'x' }]), t.deps)
    const again = testDeps()
    expect(await run(workflow([{ id: 'a', type: 'gateway', gatewayId: 'g', action: 'x' }]), again.deps, { state: done })).toBe(done)
    expect(again.gatewayCalls).toHaveLength(0)
  })
})

describe('engine: dry run', () => {
  it('executes pure steps and reports what side-effecting steps would do', async () => {
    const t = testDeps()
    const state = await run(
      workflow([
        { id: 'text', type: 'transform', value: 'Hi {{ trigger.message.text }}' },
        { id: 'send', type: 'gateway', gatewayId: 'bot', action: 'sendMessage', params: { text: '{{ steps.text.output }}' } },
        { id: 'call', type: 'webhook', url: 'https://example.com/{{ trigger.message.chat.id }}' },
      ]),
      t.deps,
      { mode: 'dry-run' },
    )
    expect(state.status).toBe('completed')
    expect(t.gatewayCalls).toHaveLength(0)
    expect(t.httpRequests).toHaveLength(0)
    expect(state.steps.send!.output).toEqual({ dryRun: true, wouldRun: { gatewayId: 'bot', action: 'sendMessage', params: { text: 'Hi hello' } } })
    expect(state.steps.call!.output).toMatchObject({ dryRun: true, wouldRun: { url: 'https://example.com/7' } })
  })
})

describe('engine: single-step test run (stopAfter)', () => {
  it('runs only the step at the cursor with pinned outputs of earlier steps, then completes', async () => {
    const definition = workflow([
      { id: 'fetch', type: 'gateway', gatewayId: 'g', action: 'fetch' },
      { id: 'shout', type: 'transform', value: '{{ upper(steps.fetch.output.text) }} {{ trigger.name }}' },
      { id: 'send', type: 'gateway', gatewayId: 'g', action: 'send' },
    ])
    const pinned = { status: 'completed' as const, output: { text: 'pinned' }, attempts: 1, startedAt: 1, finishedAt: 1 }
    const t = testDeps()
    const state = await runWorkflow(
      { executionId: 'ex9', definition, trigger: { name: 'Ann' }, state: { status: 'running', steps: { fetch: pinned }, cursor: 'shout', startedAt: 1_000_000, stopAfter: 'shout' } },
      registry,
      t.deps,
    )
    expect(state.status).toBe('completed')
    expect(state.cursor).toBeNull()
    expect(state.steps.shout!.output).toBe('PINNED Ann')
    expect(state.steps.send).toBeUndefined()
    expect(t.gatewayCalls).toHaveLength(0)
    expect(t.checkpoints.map((c) => [c.key, c.state.status])).toEqual([['shout', 'completed']])
  })

  it('stops after the step even when a condition would jump elsewhere, and still fails on a failing step', async () => {
    const definition = workflow([
      { id: 'check', type: 'condition', if: 'true', then: 'after' },
      { id: 'boom', type: 'code', source: 'throw new Error("nope")' },
      { id: 'after', type: 'transform', value: 1 },
    ])
    const jump = await runWorkflow({ executionId: 'a', definition, trigger: {}, state: { status: 'running', steps: {}, cursor: 'check', startedAt: 1_000_000, stopAfter: 'check' } }, registry, testDeps().deps)
    expect(Object.keys(jump.steps)).toEqual(['check'])
    expect(jump.status).toBe('completed')
    const failing = await runWorkflow({ executionId: 'b', definition, trigger: {}, state: { status: 'running', steps: {}, cursor: 'boom', startedAt: 1_000_000, stopAfter: 'boom' } }, registry, testDeps().deps)
    expect(failing.status).toBe('failed')
    expect(failing.error?.stepKey).toBe('boom')
  })
})
