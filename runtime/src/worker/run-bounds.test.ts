import { CheckpointBody, WORKFLOW_LIMITS, type LeasedJob } from '@2bot/contracts'
import * as v from 'valibot'
import { afterEach, expect, it } from 'vitest'
import type { RunState } from '../engine/types'
import { workflow } from '../test/builders'
import { fakeRuntimeApi } from '../test/fake-runtime-api'
import { startJobLoop } from './job-loop'
import { buildRunTools, type ToolsConfig } from './run-tools'
import { RuntimeApiError, type RuntimeApi } from './runtime-api'

const INLINE: ToolsConfig = { codeMemoryMb: 64, codeIsolation: 'inline', codeThreads: 1, allowPrivateNetworks: false }
/** The API's limit for the runtime's bodies (edge-api app.ts). */
const RUNTIME_MAX_BODY_BYTES = 2 * WORKFLOW_LIMITS.maxRunDataBytes + 2 ** 20

const job = (id: string, steps: unknown[]): LeasedJob => ({
  jobId: `job-${id}`,
  execution: { id, mode: 'run', attempt: 1, triggerData: {}, state: null, cancelRequested: false },
  definition: workflow(steps),
})

const loops: { stop(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(loops.splice(0).map((l) => l.stop()))
})

/** The fake platform behind the API's own checks: the runtime body limit and the checkpoint contract. */
function platformWithLimits(jobs: LeasedJob[], maxBody = RUNTIME_MAX_BODY_BYTES) {
  const platform = fakeRuntimeApi(jobs)
  const bodies: number[] = []
  const sent: Parameters<RuntimeApi['checkpoint']>[1][] = []
  const checkpoint: RuntimeApi['checkpoint'] = async (id, input) => {
    const size = Buffer.byteLength(JSON.stringify({ ...input }))
    bodies.push(size)
    if (size > maxBody) throw new RuntimeApiError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large')
    if (!v.safeParse(CheckpointBody, input).success) throw new RuntimeApiError(400, 'VALIDATION_FAILED', 'Invalid json')
    sent.push(input)
    await platform.api.checkpoint(id, input)
  }
  return { ...platform, api: { ...platform.api, checkpoint }, bodies, sent }
}

it('a step that throws a 10 MB error fails its run once, as the user’s fault, with the message cut', async () => {
  const platform = platformWithLimits([job('boom', [{ id: 'boom', type: 'code', onError: 'retry', retry: { maxAttempts: 3, backoffMs: 0 }, source: "throw new Error('e'.repeat(10 * 1024 * 1024))" }])])
  loops.push(startJobLoop({ api: platform.api, owner: 'test', tools: buildRunTools(INLINE), gateways: {}, leaseSeconds: 30 }))
  await expect.poll(() => platform.finished, { timeout: 10_000 }).toEqual(['boom:failed'])
  const state = platform.states.get('boom') as RunState
  expect(state.error).toMatchObject({ kind: 'USER', code: 'CODE_ERROR', stepKey: 'boom', message: expect.stringMatching(/… \(truncated, 10485782 bytes\)$/) })
  expect(state.error!.message.length).toBeLessThanOrEqual(WORKFLOW_LIMITS.maxErrorChars)
  expect(state.steps.boom).toMatchObject({ status: 'failed', attempts: 1 })
  // One checkpoint, accepted: nothing for the reaper to retry into the same wall.
  expect(platform.sent).toHaveLength(1)
  expect(platform.failed).toEqual([])
  expect(platform.released).toEqual([])
})

it('keeps every checkpoint of a run that fills its data under the platform’s limit, in UTF-8', async () => {
  // Eleven pure steps of 450,000 Cyrillic characters: 900 kB each as UTF-8. Counted by length they
  // would all fit in 8 MB and the last checkpoint would carry 20 MB; counted in UTF-8 the run fails
  // at the tenth, and every checkpoint (held records included) is accepted.
  const steps = Array.from({ length: 11 }, (_, i) => ({ id: `s${i}`, type: 'transform', value: `{{ "${i}" + trigger.text }}` }))
  const definition = job('fill', steps)
  definition.execution.triggerData = { text: 'ж'.repeat(450_000) }
  const platform = platformWithLimits([definition])
  loops.push(startJobLoop({ api: platform.api, owner: 'test', tools: buildRunTools(INLINE), gateways: {}, leaseSeconds: 30 }))
  await expect.poll(() => platform.finished, { timeout: 10_000 }).toEqual(['fill:failed'])
  expect((platform.states.get('fill') as RunState).error).toMatchObject({ code: 'RUN_DATA_TOO_LARGE', kind: 'USER' })
  expect(Math.max(...platform.bodies)).toBeLessThan(RUNTIME_MAX_BODY_BYTES)
  expect(platform.bodies.length).toBe(platform.sent.length)
})

it('fails a run once, saying so, when the platform refuses its checkpoint (instead of resuming into the refusal)', async () => {
  // A platform with a smaller limit than the engine bounds checkpoints to: this run's carries 1.2 MB.
  const big = job('big', [{ id: 'big', type: 'transform', value: '{{ trigger.text }}' }, { id: 'next', type: 'transform', value: 1 }])
  big.execution.triggerData = { text: 'x'.repeat(600_000) }
  const platform = platformWithLimits([big], 500_000)
  loops.push(startJobLoop({ api: platform.api, owner: 'test', tools: buildRunTools(INLINE), gateways: {}, leaseSeconds: 30 }))
  await expect.poll(() => platform.finished, { timeout: 10_000 }).toEqual(['big:failed'])
  const state = platform.states.get('big') as RunState
  expect(state.error).toMatchObject({ kind: 'SYSTEM', code: 'CHECKPOINT_REFUSED', message: expect.stringContaining('HTTP 413') })
  // The records stay, without the outputs that made it too large.
  expect(state.steps.big).toMatchObject({ status: 'completed' })
  expect(state.steps.big).not.toHaveProperty('output')
  expect(platform.bodies).toHaveLength(2)
  expect(platform.sent).toHaveLength(1)
})
