import { describe, expect, it } from 'vitest'
import { defaultExecutors } from '../steps/registry'
import { testDeps, workflow } from '../test/builders'
import { runWorkflow } from './engine'

const registry = defaultExecutors()
const run = (definition: ReturnType<typeof workflow>, deps: ReturnType<typeof testDeps>['deps'], trigger: unknown = {}) =>
  runWorkflow({ executionId: 'ex1', definition, trigger }, registry, deps)

describe('engine: user computation is bounded as it runs', () => {
  it('fails a template that would expand past one output, once, as the user’s fault', async () => {
    const t = testDeps()
    const definition = workflow([{ id: 'echo', type: 'transform', onError: 'retry', retry: { maxAttempts: 5 }, value: { copies: '{{ trigger.body }}'.repeat(2000) } }])
    const state = await run(definition, t.deps, { body: 'b'.repeat(500_000) })
    expect(state.status).toBe('failed')
    expect(state.error).toMatchObject({ stepKey: 'echo', kind: 'USER', code: 'TEMPLATE_TOO_LARGE', message: expect.stringContaining("The step's output would be larger than 1 MB") })
    expect(state.steps.echo).toMatchObject({ status: 'failed', attempts: 1 })
    expect(t.sleeps).toEqual([])
  })

  it('charges a transform’s items to the same budget, and sizes an output of shared references before serialising it', async () => {
    const text = 't'.repeat(10_000)
    const mapped = await run(workflow([{ id: 'each', type: 'transform', input: 'trigger.items', map: { text: '{{ trigger.text }}' } }]), testDeps().deps, { text, items: Array.from({ length: 1000 }, (_, i) => i) })
    expect(mapped.error).toMatchObject({ code: 'TEMPLATE_TOO_LARGE', kind: 'USER' })
    // No map: the items themselves are the output, 150 references to one 100 kB text (15 MB of JSON).
    const refs = `[${Array(150).fill('trigger.t').join(',')}]`
    const shared = await run(workflow([{ id: 'same', type: 'transform', input: refs }]), testDeps().deps, { t: 's'.repeat(100_000) })
    expect(shared.error).toMatchObject({ code: 'OUTPUT_TOO_LARGE', kind: 'USER', message: expect.stringContaining('larger than 1 MB') })
  })

  it('measures outputs in UTF-8, as a checkpoint carries them', async () => {
    const ok = await run(workflow([{ id: 'ru', type: 'transform', value: '{{ trigger.text }}' }]), testDeps().deps, { text: 'ж'.repeat(400_000) })
    expect(ok.status).toBe('completed')
    // 600,000 characters, 1.2 MB as UTF-8.
    const big = await run(workflow([{ id: 'ru', type: 'transform', value: '{{ trigger.text }}' }]), testDeps().deps, { text: 'ж'.repeat(600_000) })
    expect(big.error).toMatchObject({ code: 'OUTPUT_TOO_LARGE', kind: 'USER' })
  })

  it('fails an output nested deeper than the platform stores, once, as the user’s fault (a code step can build one)', async () => {
    const nest = (depth: number): unknown => (depth === 0 ? 'leaf' : { a: [nest(depth - 1)] })
    // 50 × 2 levels: exactly the limit of 100 passes.
    const ok = await run(workflow([{ id: 'echo', type: 'transform', value: '{{ trigger.deep }}' }]), testDeps().deps, { deep: nest(50) })
    expect(ok.status).toBe('completed')
    const t = testDeps()
    const deep = await run(workflow([{ id: 'echo', type: 'code', onError: 'retry', retry: { maxAttempts: 3 }, source: 'let v = 1; for (let i = 0; i < 2000; i++) v = [v]; return v' }]), t.deps)
    expect(deep.error).toMatchObject({ stepKey: 'echo', kind: 'USER', code: 'OUTPUT_TOO_DEEP', message: expect.stringContaining('more than 100 levels') })
    expect(deep.steps.echo).toMatchObject({ status: 'failed', attempts: 1 })
  })

  it('cuts a 10 MB error message before it enters the step record and the run state; the run fails once', async () => {
    const t = testDeps()
    const definition = workflow([{ id: 'boom', type: 'code', onError: 'retry', retry: { maxAttempts: 3 }, source: "throw new Error('e'.repeat(10 * 1024 * 1024))" }])
    const state = await run(definition, t.deps)
    const error = state.steps.boom!.error!
    expect(error.kind).toBe('USER')
    expect(error.message.length).toBeLessThanOrEqual(4096)
    expect(error.message).toMatch(/^The code threw Error: e+… \(truncated, 10485782 bytes\)$/)
    expect(state.steps.boom!.attempts).toBe(1)
    expect(state.error).toMatchObject({ message: error.message, stepKey: 'boom', kind: 'USER' })
    expect(t.checkpoints).toHaveLength(1)
    // The record and the run's error each carry the cut message once.
    expect(JSON.stringify(t.checkpoints[0]!.state).length).toBeLessThan(2 * 4096 + 1000)
  })

  it('counts errors that a run continues past against its data, and stops it there', async () => {
    const t = testDeps({ limits: { maxRunDataBytes: 256 * 1024 } })
    const definition = workflow([
      { id: 'each', type: 'loop', over: 'trigger.items', onError: 'continue', steps: [{ id: 'fail', type: 'transform', onError: 'continue', value: "{{ nope(trigger.long) }}" }] },
      { id: 'after', type: 'transform', value: 'never' },
    ])
    const state = await run(definition, t.deps, { items: Array.from({ length: 1000 }, (_, i) => i), long: 'l' })
    expect(state.status).toBe('failed')
    expect(state.error).toMatchObject({ code: 'RUN_DATA_TOO_LARGE', kind: 'USER' })
    expect(state.steps.after).toBeUndefined()
    expect(JSON.stringify(state).length).toBeLessThan(256 * 1024 + 4096)
  })

  it('stops a run past its CPU budget between steps and inside evaluation, as the user’s fault', async () => {
    let now = 0
    // Each clock read is a millisecond: deterministic, whatever the machine's load.
    const t = testDeps({ now: () => now++, limits: { maxRunCpuMs: 100 } })
    const steps = Array.from({ length: 50 }, (_, i) => ({ id: `s${i}`, type: 'transform', input: 'trigger.items', filter: 'item >= 0 && len(json(item)) > 0' }))
    const state = await run(workflow(steps), t.deps, { items: Array.from({ length: 1000 }, (_, i) => i) })
    expect(state.status).toBe('failed')
    expect(state.error).toMatchObject({ kind: 'USER', code: 'RUN_CPU_LIMIT', message: expect.stringContaining('more than 100 ms of CPU') })
    expect(Object.keys(state.steps).length).toBeLessThan(50)
  })
})
