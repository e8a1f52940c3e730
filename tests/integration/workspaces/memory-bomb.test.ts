import { afterAll, beforeAll, expect, it } from 'vitest'
import { executions, jobs } from '../../../edge-api/src/db/schema'
import { startPlatform, waitFor, type Platform } from '../platform'
import { dockerEnv, startPodman } from './podman'

/**
 * Isolation for real: a workflow that allocates 800 MB in a FREE workspace (512 MB cgroup) gets
 * its runtime OOM-killed by the kernel; another user's workspace running beside it notices nothing,
 * and the engine's restart policy brings the bomber's workspace back on its own. One level down,
 * inside a workspace: a run that grows its data without end fails alone with a clear error, and
 * neither the container nor the run beside it notices.
 */
let podman: Awaited<ReturnType<typeof startPodman>>
let platform: Platform

beforeAll(async () => {
  podman = await startPodman()
  // Short leases so the killed runtime's job comes back quickly; a QuickJS cap above the FREE
  // container's memory, so a code step can reach the cgroup limit.
  platform = await startPlatform(dockerEnv(podman.socketPath, { WORKSPACE_LEASE_SECONDS: '5', WORKSPACE_CODE_MEMORY_MB: '1024' }))
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

async function workspaceOf(executionId: string): Promise<string> {
  const job = (await platform.deps.db.select().from(jobs)).find((j) => j.executionId === executionId)
  return job!.workspaceId
}

it('a memory bomb kills only its own workspace, which comes back by itself', async () => {
  const victim = await platform.signUp()
  const bomber = await platform.signUp()
  // The victim's workspace is up and busy before the bomb goes off.
  const victimRuns = await Promise.all(Array.from({ length: 5 }, (_, i) => runService(victim, { trigger: { type: 'manual' }, steps: [{ id: 'wait', type: 'delay', ms: 1500 }, { id: 'calc', type: 'code', source: `return ${i}` }] })))
  const victimWs = await workspaceOf(victimRuns[0]!.executionId)
  await waitFor('the victim container', async () => (await podman.containersOf(victimWs)).length === 1)
  const victimContainer = (await podman.containersOf(victimWs))[0]!.Id

  // 800 MB inside a FREE (512 MB) workspace: the QuickJS cap is raised for this platform, so the cgroup is what stops it.
  const bomb = await runService(bomber, codeWorkflow('const parts = []; for (let i = 0; i < 50; i++) parts.push(new Uint8Array(1 << 24).fill(i + 1)); return parts.length'))
  const bomberWs = await workspaceOf(bomb.executionId)
  const oom = await waitFor('the kernel to OOM-kill the bomber runtime', async () => {
    const [c] = await podman.containersOf(bomberWs)
    const info = c && (await podman.docker.getContainer(c.Id).inspect())
    return info && (info.RestartCount > 0 || info.State.OOMKilled) && info
  }, 60_000, 100)
  expect(oom.HostConfig.Memory).toBe(512 * 2 ** 20)
  await platform.call('POST', `/api/user/services/${bomb.serviceId}/executions/${bomb.executionId}/cancel`, undefined, bomber)

  // The victim never noticed: same container, never restarted, every run completed.
  const victimDone = await waitFor('the victim runs', async () => {
    const rows = (await platform.deps.db.select().from(executions)).filter((e) => victimRuns.some((r) => r.executionId === e.id))
    return rows.every((r) => r.status === 'COMPLETED') && rows
  })
  expect(victimDone.every((r) => r.attempt === 1)).toBe(true)
  const victimInfo = await podman.docker.getContainer(victimContainer).inspect()
  expect(victimInfo.RestartCount).toBe(0)
  expect(victimInfo.State.OOMKilled).toBe(false)

  // The bomber's workspace is back (restart policy) and runs ordinary work again.
  const after = await runService(bomber, codeWorkflow('return "alive"'))
  const row = await waitFor('a run in the restarted workspace', async () => {
    const r = (await platform.deps.db.select().from(executions)).find((e) => e.id === after.executionId)
    return r?.status === 'COMPLETED' && r
  }, 90_000, 200)
  expect(row.result).toBe('alive')
  const [bomberContainer] = await podman.containersOf(bomberWs)
  expect((await podman.docker.getContainer(bomberContainer!.Id).inspect()).RestartCount).toBeGreaterThan(0)
})

it('a run that tries to hold 300 MB fails alone with a clear error; its container and the run beside it carry on', async () => {
  const user = await platform.signUp()
  const calm = await runService(user, { trigger: { type: 'manual' }, steps: [{ id: 'wait', type: 'delay', ms: 2000 }, { id: 'done', type: 'transform', value: 'calm' }] })
  const ws = await workspaceOf(calm.executionId)
  await waitFor('the container', async () => (await podman.containersOf(ws)).length === 1)
  const container = (await podman.containersOf(ws))[0]!.Id

  // 300 iterations keeping 1 MB each (every output within the 1 MB step limit): the run's data cap
  // (8 MB) stops it long before its thread's 256 MB heap, the backstop, or the container's 512 MB.
  const growth = { trigger: { type: 'manual' }, steps: [{ id: 'grow', type: 'loop', over: 'trigger.items', steps: [{ id: 'big', type: 'transform', value: '{{ trigger.text }}{{ trigger.text }}' }] }] }
  const hog = await runService(user, growth, { text: 'x'.repeat(2 ** 19 - 16), items: Array.from({ length: 300 }, (_, i) => i) })
  const failed = await waitFor('the hog to fail', async () => {
    const r = (await platform.deps.db.select().from(executions)).find((e) => e.id === hog.executionId)
    return r?.status === 'FAILED' && r
  }, 60_000, 200)
  expect(failed.error).toContain("The run's data would grow past 8 MB")
  expect(failed.attempt).toBe(1)

  const calmRow = await waitFor('the calm run', async () => {
    const r = (await platform.deps.db.select().from(executions)).find((e) => e.id === calm.executionId)
    return r?.status === 'COMPLETED' && r
  })
  expect(calmRow.result).toBe('calm')
  const info = await podman.docker.getContainer(container).inspect()
  expect(info.State.Running).toBe(true)
  expect(info.RestartCount).toBe(0)
  expect(info.State.OOMKilled).toBe(false)
  expect((await podman.containersOf(ws)).map((c) => c.Id)).toEqual([container])
})
