import type { LeasedJob } from '@2bot/contracts'
import { afterEach, expect, it } from 'vitest'
import { workflow } from '../test/builders'
import { fakeRuntimeApi } from '../test/fake-runtime-api'
import { startHealthServer, type RuntimeHealth } from './health-server'
import { startJobLoop } from './job-loop'
import { buildRunTools, type ToolsConfig } from './run-tools'
import type { RuntimeApi } from './runtime-api'

const INLINE: ToolsConfig = { codeMemoryMb: 32, codeIsolation: 'inline', codeThreads: 1, allowPrivateNetworks: false }

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
  const loop = startJobLoop({ api, owner: 'test', tools: buildRunTools(INLINE), gateways: {}, leaseSeconds: 30 })
  loops.push(loop)
  return loop
}

it('drain lets runs in flight finish and takes no new work', async () => {
  const platform = fakeRuntimeApi([job('a', 300), job('b', 300)])
  const loop = loopWith(platform.api)
  await expect.poll(() => loop.active()).toBe(2)
  const started = Date.now()
  await loop.drain(5000)
  expect(platform.finished.sort()).toEqual(['a:completed', 'b:completed'])
  expect(platform.released).toEqual([])
  expect(Date.now() - started).toBeLessThan(3000)
})

it('drain gives back runs still going at its deadline', async () => {
  const platform = fakeRuntimeApi([job('slow', 10_000)])
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
