import { afterAll, beforeAll, expect, it } from 'vitest'
import { executions, jobs } from '../../../edge-api/src/db/schema'
import { startPlatform, waitFor, type Platform } from '../platform'
import { dockerEnv, startPodman } from './podman'

/**
 * Isolation for real: a workflow that allocates 800 MB in a FREE workspace (512 MB cgroup) gets
 * its runtime OOM-killed by the kernel; another user's workspace running beside it notices nothing,
 * and the engine's restart policy brings the bomber's workspace back on its own.
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

async function runService(token: string, definition: unknown) {
  const service = await platform.call('POST', '/api/user/services', { name: `svc ${Math.random()}`, definition }, token)
  const id = service.body.service.id as string
  await platform.call('POST', `/api/user/services/${id}/enable`, undefined, token)
  const run = await platform.call('POST', `/api/user/services/${id}/run`, { input: {} }, token)
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
