import { afterAll, beforeAll, expect, it } from 'vitest'
import { executions, workspaces } from '../../../edge-api/src/db/schema'
import { startPlatform, waitFor, type Platform } from '../platform'
import { dockerEnv, startPodman } from './podman'

/**
 * Workspaces in real containers (Podman's Docker API with runc): a run goes through the
 * container, whose cgroup carries the plan's limits, and its usage is read back.
 */
let podman: Awaited<ReturnType<typeof startPodman>>
let platform: Platform

beforeAll(async () => {
  podman = await startPodman()
  platform = await startPlatform(dockerEnv(podman.socketPath))
}, 120_000)
afterAll(async () => {
  await platform?.stop()
  await podman?.stop()
})

const codeWorkflow = (source: string) => ({ trigger: { type: 'manual' }, steps: [{ id: 'calc', type: 'code', source }] })

async function runService(token: string, definition: unknown, input: Record<string, unknown> = {}) {
  const service = await platform.call('POST', '/api/user/services', { name: `svc ${Math.random()}`, definition }, token)
  const id = service.body.service.id as string
  await platform.call('POST', `/api/user/services/${id}/enable`, undefined, token)
  const run = await platform.call('POST', `/api/user/services/${id}/run`, { input }, token)
  expect(run.status).toBe(202)
  return { serviceId: id, executionId: run.body.execution.id as string }
}

it('starts a container on the first run, runs the job in it with the plan limits, and reports usage', async () => {
  const token = await platform.signUp()
  const [before] = await platform.deps.db.select().from(workspaces)
  expect(before).toBeUndefined() // lazy: no workspace, no container, until something must run

  const { executionId } = await runService(token, codeWorkflow('return { doubled: input.trigger.n * 2 }'), { n: 21 })
  const done = await waitFor('the run to complete', async () => {
    const [row] = await platform.deps.db.select().from(executions)
    return row?.status === 'COMPLETED' && row
  })
  expect(done.id).toBe(executionId)
  expect(done.result).toEqual({ doubled: 42 })

  const [ws] = await platform.deps.db.select().from(workspaces)
  const containers = await podman.containersOf(ws!.id)
  expect(containers).toHaveLength(1)
  const info = await podman.docker.getContainer(containers[0]!.Id).inspect()
  expect(info.State.Running).toBe(true)
  expect(info.HostConfig.Memory).toBe(512 * 2 ** 20) // FREE
  expect(info.HostConfig.NanoCpus).toBe(0.5e9)
  expect(platform.deps.workspaces.kind).toBe('docker')

  const usage = await platform.deps.workspaces.usage!(ws!.id)
  expect(usage!.memoryBytes).toBeGreaterThan(5 * 2 ** 20)
  expect(usage!.memoryLimitBytes).toBe(512 * 2 ** 20)
  expect(usage!.cpuLimitCores).toBe(0.5)
})
