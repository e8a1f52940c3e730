import { afterAll, beforeAll, expect, it } from 'vitest'
import { executionSteps, executions, jobs, workspaces } from '../../../edge-api/src/db/schema'
import { changeUserPlan } from '../../../edge-api/src/features/workspaces/workspace-lifecycle'
import { startPlatform, waitFor, type Platform } from '../platform'
import { createDockerDriver } from '../../../edge-api/src/adapters/workspace/docker.driver'
import { silentLogger } from '../../../contracts/src/logger'
import { dockerEnv, IMAGE, startPodman } from './podman'

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
  const before = await platform.deps.db.select().from(workspaces)
  expect(before).toEqual([]) // lazy: no workspace, no container, until something must run

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
  // The run went through its own thread inside the container (the bulkhead), which stays warm a while.
  const healthPort = info.Config.Env.find((e) => e.startsWith('TWOBOT_HEALTH_PORT='))!.split('=')[1]
  const health = (await (await fetch(`http://127.0.0.1:${healthPort}/health`)).json()) as { bulkheads: { runThreads: number } | null }
  expect(health.bulkheads?.runThreads).toBe(1)
  const described = await platform.call('GET', '/api/workspace', undefined, token)
  expect(described.body.workspace.bulkheads).toEqual({ runMemoryMb: 256, gatewayMemoryMb: 128, pluginMemoryMb: 64 })

  const usage = await platform.deps.workspaces.usage!(ws!.id)
  expect(usage!.memoryBytes).toBeGreaterThan(5 * 2 ** 20)
  expect(usage!.memoryLimitBytes).toBe(512 * 2 ** 20)
  expect(usage!.cpuLimitCores).toBe(0.5)

  // A platform that restarts adopts the running container (even a frozen one) instead of starting another.
  await podman.docker.getContainer(containers[0]!.Id).pause()
  const restarted = createDockerDriver({ docker: podman.docker, image: IMAGE, apiUrl: () => platform.url, limitsFor: async () => ({ memoryMb: 512, cpus: 0.5 }), logger: silentLogger })
  let issued = 0
  await restarted.ensureRunning(ws!.id, async () => `ws_${++issued}`)
  expect(issued).toBe(0)
  expect((await podman.containersOf(ws!.id)).map((c) => c.Id)).toEqual([containers[0]!.Id])
  expect(await restarted.status!(ws!.id)).toMatchObject({ state: 'running', restarts: 0 })
})

it('runs plugin steps in the container: the plugin in a sandboxed thread of its own, its storage kept by the platform', async () => {
  const token = await platform.signUp()
  expect((await platform.call('POST', '/api/user/plugins/keyword-stats/install', { config: { minLength: 3 } }, token)).status).toBe(201)
  const definition = {
    trigger: { type: 'manual' },
    steps: [
      { id: 'count', type: 'plugin', plugin: 'keyword-stats', action: 'track', params: { text: '{{ trigger.text }}' } },
      { id: 'top', type: 'plugin', plugin: 'keyword-stats', action: 'report', params: { top: 2 } },
    ],
  }
  const { executionId } = await runService(token, definition, { text: 'Bot bot bot, chat chat! hi' })
  const done = await waitFor('the plugin run to complete', async () => {
    const row = (await platform.deps.db.select().from(executions)).find((e) => e.id === executionId)
    return (row?.status === 'COMPLETED' || row?.status === 'FAILED') && row
  })
  expect(done.error).toBeNull()
  expect(done.result).toEqual({ messages: 1, top: [{ word: 'bot', count: 3 }, { word: 'chat', count: 2 }] })

  const job = (await platform.deps.db.select().from(jobs)).find((j) => j.executionId === executionId)!
  const [container] = await podman.containersOf(job.workspaceId)
  const info = await podman.docker.getContainer(container!.Id).inspect()
  const healthPort = info.Config.Env.find((e) => e.startsWith('TWOBOT_HEALTH_PORT='))!.split('=')[1]
  const health = (await (await fetch(`http://127.0.0.1:${healthPort}/health`)).json()) as { activePlugins: number; pluginCrashes: number }
  expect(health).toMatchObject({ activePlugins: 1, pluginCrashes: 0 })
  expect((await platform.deps.workspaces.usage!(job.workspaceId))!.activePlugins).toBe(1)
  // The plugin's storage lives with the platform, per install.
  const installed = await platform.call('GET', '/api/user/plugins', undefined, token)
  expect(installed.body.plugins[0].stateBytes).toBeGreaterThan(0)
})

it('a plan change during a stream of jobs swaps the container hot: none lost, none doubled', async () => {
  const token = await platform.signUp()
  const definition = { trigger: { type: 'manual' }, steps: [{ id: 'wait', type: 'delay', ms: 400 }, { id: 'calc', type: 'code', source: 'return input.trigger.n * 2' }, { id: 'done', type: 'transform', value: '{{ steps.calc.output }}' }] }
  const service = await platform.call('POST', '/api/user/services', { name: 'stream', definition }, token)
  const serviceId = service.body.service.id as string
  await platform.call('POST', `/api/user/services/${serviceId}/enable`, undefined, token)
  const ids: string[] = []
  const submit = async (n: number) => {
    const run = await platform.call('POST', `/api/user/services/${serviceId}/run`, { input: { n } }, token)
    expect(run.status).toBe(202)
    ids.push(run.body.execution.id as string)
  }
  for (let n = 0; n < 15; n++) {
    await submit(n)
    await new Promise((r) => setTimeout(r, 60))
  }
  const wsId = await workspaceOf(ids[0]!)
  const [oldContainer] = await podman.containersOf(wsId)
  await waitFor('runs in flight', async () => (await platform.deps.db.select().from(executions)).some((e) => ids.includes(e.id) && e.status === 'RUNNING'))

  // Upgrade FREE → PRO while runs are in flight and more keep arriving.
  const ws = (await platform.deps.db.select().from(workspaces)).find((w) => w.id === wsId)
  const swap = changeUserPlan(platform.deps, ws!.userId!, 'PRO')
  for (let n = 15; n < 40; n++) {
    await submit(n)
    await new Promise((r) => setTimeout(r, 60))
  }
  await swap

  const rows = await waitFor('every run to finish', async () => {
    const all = (await platform.deps.db.select().from(executions)).filter((e) => ids.includes(e.id))
    return all.every((e) => e.status === 'COMPLETED') && all
  }, 90_000, 200)
  expect(rows).toHaveLength(40)
  // None doubled: every step of every run has exactly one attempt on the record, and it completed — no
  // step ran again, none was interrupted. (A lease whose answer a draining runtime never read goes back
  // to the queue; the run then starts under the next lease, with no attempt under the lost one.)
  expect(rows.map((e) => e.result).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 40 }, (_, n) => n * 2))
  const steps = (await platform.deps.db.select().from(executionSteps)).filter((st) => ids.includes(st.executionId))
  expect(steps).toHaveLength(40 * 3)
  expect(steps.every((s) => s.status === 'COMPLETED')).toBe(true)

  // One container remains, the new one, with PRO's limits; the old one is gone.
  const now = await podman.containersOf(wsId)
  expect(now).toHaveLength(1)
  expect(now[0]!.Id).not.toBe(oldContainer!.Id)
  const info = await podman.docker.getContainer(now[0]!.Id).inspect()
  expect(info.HostConfig.Memory).toBe(2048 * 2 ** 20)
  expect(info.HostConfig.NanoCpus).toBe(2e9)
})

async function workspaceOf(executionId: string): Promise<string> {
  const job = (await platform.deps.db.select().from(jobs)).find((j) => j.executionId === executionId)
  return job!.workspaceId
}

