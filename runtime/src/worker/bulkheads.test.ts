import type { LeasedJob } from '@2bot/contracts'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { startOpenAiDouble, type OpenAiDouble } from '../../../tests/doubles/openai.double'
import { workflow } from '../test/builders'
import { fakeRuntimeApi } from '../test/fake-runtime-api'
import { createGatewayHost } from './gateway-host'
import { startJobLoop, type JobLoop } from './job-loop'
import { createRunPool } from './run-pool'
import type { ToolsConfig } from './run-tools'
import type { RuntimeApi } from './runtime-api'

/**
 * Bulkheads inside one workspace runtime, for real: runs and gateways in worker threads with their
 * own V8 heap limits (small ones here, so a test can reach them quickly). A run or a gateway that
 * outgrows its limit is stopped by V8 alone; the main thread and everything else carry on.
 */
// The run-data cap (8 MB) normally stops a run long before its thread's heap; raised here so the
// heap limit, the backstop, is what a test run reaches.
const CONFIG: ToolsConfig = { codeMemoryMb: 32, codeIsolation: 'inline', codeThreads: 1, allowPrivateNetworks: false, limits: { maxRunDataBytes: 2 ** 30 } }
const RUN_MB = 48
const GATEWAY_MB = 24

let ai: OpenAiDouble
beforeAll(async () => {
  ai = await startOpenAiDouble({ apiKey: 'sk-test-0123456789abcdefghijklmnop' })
})
afterAll(() => ai.stop())

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

function isolatedLoop(api: RuntimeApi, concurrency = 4, leaseSeconds = 30): { loop: JobLoop; runs: ReturnType<typeof createRunPool>; gateways: ReturnType<typeof createGatewayHost> } {
  const runs = createRunPool({ config: CONFIG, memoryMb: RUN_MB, maxThreads: concurrency })
  const gateways = createGatewayHost({ config: CONFIG, api, memoryMb: GATEWAY_MB, restartDelayMs: 50 })
  const loop = startJobLoop({ api, owner: 'test', isolation: { runs, runMemoryMb: RUN_MB, gateways }, concurrency, leaseSeconds })
  cleanup.push(async () => {
    await loop.stop()
    await runs.close()
    await gateways.close()
  })
  return { loop, runs, gateways }
}

const leased = (id: string, steps: unknown[], triggerData: unknown = {}): LeasedJob => ({
  jobId: `job-${id}`,
  execution: { id, mode: 'run', attempt: 1, triggerData, state: null, cancelRequested: false },
  definition: workflow(steps),
})

/** A loop whose every iteration keeps a 1 MB output (each within the per-step limit): 300 MB in all, far past the run's heap. */
function memoryHog(id: string): LeasedJob {
  const steps = [{ id: 'grow', type: 'loop', over: 'trigger.items', steps: [{ id: 'big', type: 'transform', value: '{{ trigger.text }}{{ trigger.text }}' }] }]
  return leased(id, steps, { text: 'x'.repeat(2 ** 19 - 16), items: Array.from({ length: 300 }, (_, i) => i) })
}

const waiting = (id: string) => leased(id, [{ id: 'wait', type: 'delay', ms: 30_000 }, { id: 'after', type: 'transform', value: 1 }])

it("a user's cancel reaches the run in its thread at once; a shutdown gives a run back to the queue instead", async () => {
  // Heartbeats every 100 ms, so the cancel arrives quickly.
  const platform = fakeRuntimeApi([waiting('to-cancel'), waiting('to-requeue')])
  const { loop } = isolatedLoop(platform.api, 4, 0.3)
  await expect.poll(() => loop.active(), { timeout: 10_000 }).toBe(2)
  platform.cancel('to-cancel')
  await expect.poll(() => platform.finished, { timeout: 5_000 }).toEqual(['to-cancel:cancelled'])
  await loop.drain(100)
  expect(platform.released).toEqual(['to-requeue'])
  expect(platform.failed).toEqual([])
}, 60_000)

it('a run that outgrows its memory fails alone, saying so; the runs beside and after it complete', async () => {
  const platform = fakeRuntimeApi([
    memoryHog('hog'),
    leased('calm', [{ id: 'wait', type: 'delay', ms: 400 }, { id: 'done', type: 'transform', value: { ok: true } }]),
  ])
  const { runs } = isolatedLoop(platform.api)
  await expect.poll(() => platform.failed.length, { timeout: 20_000 }).toBe(1)
  expect(platform.failed[0]).toMatchObject({ id: 'hog', code: 'RUN_MEMORY_LIMIT' })
  expect(platform.failed[0]!.message).toContain(`${RUN_MB} MB`)
  await expect.poll(() => platform.finished, { timeout: 10_000 }).toContain('calm:completed')

  // The runtime goes on taking work: the next run gets a fresh thread.
  platform.enqueue(leased('after', [{ id: 'sum', type: 'transform', value: '{{ 20 + 22 }}' }]))
  await expect.poll(() => platform.finished, { timeout: 10_000 }).toContain('after:completed')
  expect(platform.outputs.get('after')).toBe(42)
  expect(runs.threads()).toBeGreaterThanOrEqual(1)
}, 60_000)

it('a gateway that outgrows its memory is restarted alone; another gateway carries on, and later calls reach the new thread', async () => {
  // Many large answers at once: each fits the answer cap, together they overflow the gateway's heap.
  const FLOOD = 8
  const big = 'y'.repeat(7 * 2 ** 20)
  let arrived = 0
  let releaseFlood!: () => void
  const flood = new Promise<void>((resolve) => (releaseFlood = resolve))
  ai.setChatReply(async (body) => {
    const prompt = String(body.messages.at(-1)?.content)
    if (prompt !== 'flood') return `fine: ${prompt}`
    if (++arrived === FLOOD) releaseFlood()
    await flood
    return big
  })
  const aiGateway = (id: string) => ({ id, type: 'AI', config: { provider: 'CUSTOM', baseURL: ai.baseURL, model: 'm' }, credentials: { apiKey: 'sk-test-0123456789abcdefghijklmnop' } })
  const ask = (gatewayId: string, prompt: string) => [{ id: 'ask', type: 'gateway', gatewayId, action: 'chat', params: { prompt } }]
  const platform = fakeRuntimeApi(
    Array.from({ length: FLOOD }, (_, i) => leased(`flood-${i}`, ask('gw-ai', 'flood'))),
    { 'gw-ai': aiGateway('gw-ai'), 'gw-other': aiGateway('gw-other') },
  )
  const { gateways } = isolatedLoop(platform.api, FLOOD + 2)
  await expect.poll(() => gateways.crashes(), { timeout: 20_000 }).toBeGreaterThanOrEqual(1)
  // No run is lost: each flood run ended, and those whose call was in flight say why.
  await expect.poll(() => platform.finished.filter((f) => f.startsWith('flood-')).length, { timeout: 20_000 }).toBe(FLOOD)
  const codes = [...platform.states.values()].map((s) => s.error?.code)
  expect(codes).toContain('GATEWAY_MEMORY_LIMIT')

  // Another gateway, and the same one again (a new thread), answer as before; the process lives on.
  platform.enqueue(leased('other', ask('gw-other', 'still here?')), leased('again', ask('gw-ai', 'back?')))
  await expect.poll(() => platform.finished, { timeout: 20_000 }).toEqual(expect.arrayContaining(['other:completed', 'again:completed']))
  expect(platform.outputs.get('other')).toMatchObject({ text: 'fine: still here?' })
  expect(platform.outputs.get('again')).toMatchObject({ text: 'fine: back?' })
  expect(platform.failed).toEqual([])
}, 60_000)

it('keeps at most its cap of gateway threads: a new gateway retires the least recently used idle one, or waits while all are busy', async () => {
  ai.setChatReply(async (body) => {
    const prompt = String(body.messages.at(-1)?.content)
    if (prompt === 'slow') await new Promise((r) => setTimeout(r, 500))
    return `re: ${prompt}`
  })
  const aiGateway = (id: string) => ({ id, type: 'AI', config: { provider: 'CUSTOM', baseURL: ai.baseURL, model: 'm' }, credentials: { apiKey: 'sk-test-0123456789abcdefghijklmnop' } })
  const host = createGatewayHost({ config: CONFIG, api: { gateway: async (id) => aiGateway(id) }, memoryMb: 64, maxThreads: 1 })
  cleanup.push(() => host.close())
  const ask = (gatewayId: string, prompt: string) =>
    host.forRun(`run-${gatewayId}-${prompt}`).invoke({ gatewayId, action: 'chat', params: { prompt }, idempotencyKey: `${gatewayId}:${prompt}`, signal: new AbortController().signal })

  expect(await ask('gw-a', 'one')).toMatchObject({ text: 're: one' })
  expect(await ask('gw-b', 'two')).toMatchObject({ text: 're: two' })
  expect(host.threads()).toBe(1)

  // gw-a's thread is busy for 500 ms: gw-b's call waits for it rather than exceed the cap.
  const order: string[] = []
  const slow = ask('gw-a', 'slow').then((r) => (order.push('a'), r))
  await new Promise((r) => setTimeout(r, 100))
  const waiting = ask('gw-b', 'after').then((r) => (order.push('b'), r))
  await expect.poll(() => host.threads()).toBe(1)
  expect(await slow).toMatchObject({ text: 're: slow' })
  expect(await waiting).toMatchObject({ text: 're: after' })
  expect(order).toEqual(['a', 'b'])
  expect(host.crashes()).toBe(0)
}, 60_000)
