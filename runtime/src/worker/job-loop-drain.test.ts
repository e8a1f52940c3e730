import type { LeasedJob } from '@2bot/edge-api/contracts'
import { afterEach, expect, it } from 'vitest'
import { createGuardedHttpClient } from '../net/guarded-http'
import { createQuickJsCodeRunner } from '../sandbox/quickjs.code-runner'
import { defaultExecutors } from '../steps/registry'
import { workflow } from '../test/builders'
import { startHealthServer, type RuntimeHealth } from './health-server'
import { startJobLoop } from './job-loop'
import type { RuntimeApi } from './runtime-api'

/** A platform double: hands out the queued jobs once, records what the runtime reports. */
function fakeApi(queue: LeasedJob[]) {
  const finished: string[] = []
  const released: string[] = []
  let leaseCalls = 0
  const api: RuntimeApi = {
    async lease(input, signal) {
      leaseCalls++
      const jobs = queue.splice(0, input.max)
      if (jobs.length > 0) return jobs
      // Long poll until aborted, as the platform does.
      await new Promise<void>((resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }) ?? resolve())
      return []
    },
    async stepStarted() {},
    async checkpoint(id, input) {
      if (input.state.status !== 'running') finished.push(`${id}:${input.state.status}`)
    },
    async heartbeat() {
      return { cancelRequested: false }
    },
    async release(id) {
      released.push(id)
    },
    async gateway() {
      throw new Error('no gateways here')
    },
  }
  return { api, finished, released, leaseCalls: () => leaseCalls }
}

const job = (id: string, ms: number): LeasedJob => ({
  jobId: `job-${id}`,
  execution: { id, mode: 'run', attempt: 1, triggerData: {}, state: null, cancelRequested: false },
  definition: workflow([{ id: 'wait', type: 'delay', ms }, { id: 'done', type: 'transform', value: { ok: true } }]),
})

const loops: { stop(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(loops.splice(0).map((l) => l.stop()))
})

function loopWith(api: RuntimeApi) {
  const loop = startJobLoop({ api, owner: 'test', executors: defaultExecutors(), gateways: {} as never, http: createGuardedHttpClient(), code: createQuickJsCodeRunner(), leaseSeconds: 30 })
  loops.push(loop)
  return loop
}

it('drain lets runs in flight finish and takes no new work', async () => {
  const platform = fakeApi([job('a', 300), job('b', 300)])
  const loop = loopWith(platform.api)
  await expect.poll(() => loop.active()).toBe(2)
  const started = Date.now()
  await loop.drain(5000)
  expect(platform.finished.sort()).toEqual(['a:completed', 'b:completed'])
  expect(platform.released).toEqual([])
  expect(Date.now() - started).toBeLessThan(3000)
})

it('drain gives back runs still going at its deadline', async () => {
  const platform = fakeApi([job('slow', 10_000)])
  const loop = loopWith(platform.api)
  await expect.poll(() => loop.active()).toBe(1)
  await loop.drain(200)
  expect(platform.finished).toEqual([])
  expect(platform.released).toEqual(['slow'])
})

it('health reports runs in flight, memory and CPU', async () => {
  const server = await startHealthServer({ port: 0, workspaceId: 'ws-1', activeRuns: () => 3, draining: () => false })
  try {
    const { port } = server.address() as { port: number }
    const res = await fetch(`http://127.0.0.1:${port}/health`)
    const body = (await res.json()) as RuntimeHealth
    expect(res.status).toBe(200)
    expect(body).toMatchObject({ status: 'ok', workspaceId: 'ws-1', activeRuns: 3 })
    expect(body.memory.rssBytes).toBeGreaterThan(10 * 2 ** 20)
    expect(body.cpu.cores).toBeGreaterThanOrEqual(0)
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404)
  } finally {
    server.close()
  }
})
