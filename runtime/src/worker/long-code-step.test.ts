import type { LeasedJob } from '@2bot/contracts'
import { afterEach, expect, it } from 'vitest'
import { workflow } from '../test/builders'
import { fakeRuntimeApi } from '../test/fake-runtime-api'
import { startJobLoop, type JobLoop } from './job-loop'
import { buildRunTools } from './run-tools'

const busyFor = (ms: number) => `const end = Date.now() + ${ms}; let n = 0; while (Date.now() < end) { n++ } return n > 0`

const job = (id: string, steps: unknown[]): LeasedJob => ({
  jobId: `job-${id}`,
  execution: { id, mode: 'run', attempt: 1, triggerData: {}, state: null, cancelRequested: false },
  definition: workflow(steps as never),
})

let loop: JobLoop | undefined
afterEach(async () => {
  await loop?.stop()
})

it('a code step busy for 20 s keeps its lease (heartbeats on time) and does not delay a neighbour run', { timeout: 60_000 }, async () => {
  const long = job('long', [{ id: 'spin', type: 'code', source: busyFor(20_000), timeoutMs: 30_000 }])
  const platform = fakeRuntimeApi([long])
  const beats: number[] = []
  const heartbeat = platform.api.heartbeat
  platform.api.heartbeat = async (id, input) => {
    if (id === 'long') beats.push(Date.now())
    return heartbeat(id, input)
  }
  // The default: code steps in worker threads, one per run that may be in flight.
  const tools = buildRunTools({ codeMemoryMb: 64, codeIsolation: 'worker', codeThreads: 2, allowPrivateNetworks: false })
  loop = startJobLoop({ api: platform.api, owner: 'test', tools, gateways: {}, leaseSeconds: 6, pollMs: 50 })
  const started = Date.now()
  await expect.poll(() => loop!.active()).toBe(1)
  await new Promise((r) => setTimeout(r, 1000))

  // A neighbour arrives while the code spins: it runs and finishes at once.
  const queuedAt = Date.now()
  platform.enqueue(job('quick', [{ id: 'hi', type: 'transform', value: { ok: true } }]))
  await expect.poll(() => platform.finished.includes('quick:completed'), { timeout: 5000, interval: 20 }).toBe(true)
  const neighbourMs = Date.now() - queuedAt
  expect(neighbourMs).toBeLessThan(2000)
  expect(platform.finished).not.toContain('long:completed')

  await expect.poll(() => platform.finished.includes('long:completed'), { timeout: 40_000, interval: 100 }).toBe(true)
  const spun = Date.now() - started
  expect(spun).toBeGreaterThanOrEqual(19_000)
  // A heartbeat every 2 s (a third of the lease) all through: the lease never came near its 6 s.
  const gaps = beats.slice(1).map((t, i) => t - beats[i]!)
  expect(beats.length).toBeGreaterThanOrEqual(8)
  expect(Math.max(...gaps)).toBeLessThan(4000)
})
