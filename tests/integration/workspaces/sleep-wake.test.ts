import { afterAll, beforeAll, expect, it } from 'vitest'
import { executions, jobs, workspaces } from '../../../edge-api/src/db/schema'
import { startPlatform, waitFor, type Platform } from '../platform'
import { dockerEnv, startPodman } from './podman'

/**
 * Sleep and wake with real containers: an idle workspace's container is frozen (the plan's idle
 * minutes, shortened here to 3 s); jobs that arrive while it sleeps are kept and wake it; every
 * one of them runs once.
 */
let podman: Awaited<ReturnType<typeof startPodman>>
let platform: Platform

beforeAll(async () => {
  podman = await startPodman()
  platform = await startPlatform(dockerEnv(podman.socketPath, { WORKSPACE_IDLE_SECONDS: '3', WORKSPACE_SAMPLE_SECONDS: '1' }))
}, 120_000)
afterAll(async () => {
  await platform?.stop()
  await podman?.stop()
})

it('sleeps when idle, keeps the jobs queued meanwhile, wakes on them and runs each once', async () => {
  const token = await platform.signUp()
  const service = await platform.call('POST', '/api/user/services', { name: 'sleepy', definition: { trigger: { type: 'manual' }, steps: [{ id: 'calc', type: 'code', source: 'return input.trigger.n + 1' }] } }, token)
  const serviceId = service.body.service.id as string
  await platform.call('POST', `/api/user/services/${serviceId}/enable`, undefined, token)
  const run = async (n: number) => (await platform.call('POST', `/api/user/services/${serviceId}/run`, { input: { n } }, token)).body.execution.id as string
  const finished = (ids: string[]) => async () => {
    const rows = (await platform.deps.db.select().from(executions)).filter((e) => ids.includes(e.id))
    return rows.length === ids.length && rows.every((e) => e.status === 'COMPLETED') && rows
  }

  const first = await run(0)
  await waitFor('the first run', finished([first]))
  const awake = await platform.call('GET', '/api/workspace', undefined, token)
  expect(awake.body.workspace).toMatchObject({ status: 'RUNNING', driver: 'docker', plan: 'FREE', limits: { memoryMb: 512, cpus: 0.5 } })
  const wsId = awake.body.workspace.id as string

  // Usage is sampled while it runs and readable by its owner.
  const usage = await waitFor('a usage sample', async () => {
    const res = await platform.call('GET', '/api/workspace/usage?minutes=5', undefined, token)
    return res.body.samples.length > 0 && res.body.samples
  }, 20_000, 200)
  expect(usage[0].memoryBytes).toBeGreaterThan(5 * 2 ** 20)
  expect(usage[0].memoryLimitBytes).toBe(512 * 2 ** 20)

  // Idle for 3 s: the container is frozen (no CPU, cgroup freezer); the row says SLEEPING.
  const [container] = await podman.containersOf(wsId)
  await waitFor('the workspace to sleep', async () => (await podman.docker.getContainer(container!.Id).inspect()).State.Paused, 30_000, 200)
  const asleep = await platform.call('GET', '/api/workspace', undefined, token)
  expect(asleep.body.workspace.status).toBe('SLEEPING')
  const [row] = (await platform.deps.db.select().from(workspaces)).filter((w) => w.id === wsId)
  expect(row!.sleptAt).not.toBeNull()

  // Work arrives while it sleeps: it is queued (nothing lost) and wakes the workspace.
  const wokenAt = Date.now()
  const ids = await Promise.all([1, 2, 3, 4, 5].map(run))
  const queued = (await platform.deps.db.select().from(jobs)).filter((j) => ids.includes(j.executionId))
  expect(queued).toHaveLength(5)
  const rows = await waitFor('the queued runs', finished(ids), 60_000, 50)
  const wakeToDoneMs = Date.now() - wokenAt
  expect(rows.map((r) => r.result).sort()).toEqual([2, 3, 4, 5, 6])
  expect(rows.every((r) => r.attempt === 1)).toBe(true)
  expect(wakeToDoneMs).toBeLessThan(15_000)

  // The same container, thawed, served them.
  expect((await podman.containersOf(wsId)).map((c) => c.Id)).toEqual([container!.Id])
  const again = await platform.call('GET', '/api/workspace', undefined, token)
  expect(['RUNNING', 'SLEEPING']).toContain(again.body.workspace.status)
})
