import { createServer } from 'node:net'
import type Docker from 'dockerode'
import type { Logger } from '@2bot/contracts/logger'
import type { WorkspaceDriver, WorkspaceLimits, WorkspaceRuntimeStatus, WorkspaceUsage } from './workspace-driver.port'

export interface DockerDriverOptions {
  docker: Docker
  /** The runtime image, built by runtime/scripts/build-image.sh (e.g. localhost/2bot-runtime:latest). */
  image: string
  /** The API the runtime talks to; known once the server listens. */
  apiUrl: () => string
  /** Memory and CPU from the workspace's plan, read at every start and resize. */
  limitsFor: (workspaceId: string) => Promise<WorkspaceLimits>
  logger: Logger
  /** Extra environment for runtimes (e.g. TELEGRAM_API_ROOT). */
  env?: Record<string, string>
  /** Health ports on the host, one per container (host networking), inclusive. */
  healthPorts?: { from: number; to: number }
  /** How long a stopping runtime may finish its runs before its jobs are given back. */
  drainSeconds?: number
  readyTimeoutMs?: number
}

interface Instance {
  containerId: string
  port: number
  token: string
  limits: WorkspaceLimits
  startedAt: string
}

const LABEL = '2bot.workspace'
const MANAGED = '2bot.managed'

/**
 * Workspaces as containers through the Docker API (Docker, or Podman's compatible socket): one
 * container per workspace from the runtime image, with the plan's memory and CPU as hard cgroup
 * limits, an on-failure restart policy (a crashed runtime comes back alone) and host networking
 * (the runtime reaches the API on 127.0.0.1; each container gets its own health port).
 */
export function createDockerDriver(opts: DockerDriverOptions): WorkspaceDriver & { instance(workspaceId: string): Readonly<Instance> | undefined } {
  const { docker } = opts
  const running = new Map<string, Instance>()
  const starting = new Map<string, Promise<void>>()
  // Frozen (cgroup freezer) but kept: waking is an unpause.
  const paused = new Set<string>()
  const reservedPorts = new Set<number>()
  const cpuSeen = new Map<string, { totalNs: number; at: number }>()
  const ports = opts.healthPorts ?? { from: 5400, to: 5499 }
  const drainSeconds = opts.drainSeconds ?? 10

  async function managedContainers(workspaceId?: string) {
    return docker.listContainers({ all: true, filters: { label: [workspaceId ? `${LABEL}=${workspaceId}` : `${MANAGED}=true`] } })
  }

  async function freePort(): Promise<number> {
    const inUse = new Set([...running.values()].map((i) => i.port))
    for (let port = ports.from; port <= ports.to; port++) {
      if (inUse.has(port) || reservedPorts.has(port)) continue
      const bindable = await new Promise<boolean>((resolve) => {
        const probe = createServer()
        probe.once('error', () => resolve(false))
        probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
      })
      if (bindable) return port
    }
    throw new Error(`No free workspace health port in ${ports.from}-${ports.to}`)
  }

  async function waitHealthy(port: number, containerId: string): Promise<void> {
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000)
    while (Date.now() < deadline) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false)
      if (ok) return
      const state = (await docker.getContainer(containerId).inspect().catch(() => undefined))?.State
      if (state && !state.Running && !state.Restarting) throw new Error(`workspace container exited (code ${state.ExitCode}) before it was healthy`)
      await new Promise((r) => setTimeout(r, 20))
    }
    throw new Error('workspace runtime did not become healthy in time')
  }

  /** Creates and starts one container for the workspace and waits until its runtime answers. */
  async function launch(workspaceId: string, token: string, limits: WorkspaceLimits): Promise<Instance> {
    const port = await freePort()
    reservedPorts.add(port)
    try {
      const memoryBytes = Math.round(limits.memoryMb * 2 ** 20)
      const container = await docker.createContainer({
        name: `2bot-ws-${workspaceId}-${Date.now().toString(36)}`,
        Image: opts.image,
        Labels: { [MANAGED]: 'true', [LABEL]: workspaceId, '2bot.memory-mb': String(limits.memoryMb), '2bot.cpus': String(limits.cpus) },
        Env: Object.entries({
          TWOBOT_API_URL: opts.apiUrl(),
          TWOBOT_WORKSPACE_TOKEN: token,
          TWOBOT_WORKSPACE_ID: workspaceId,
          TWOBOT_HEALTH_PORT: String(port),
          TWOBOT_DRAIN_SECONDS: String(drainSeconds),
          TWOBOT_ALLOW_PRIVATE_NETWORKS: 'true',
          // Bulkheads: each service run (256 MB) and each gateway (128 MB) in a worker thread of its
          // own; one that runs out of memory ends alone. Code steps run inside their run's thread.
          TWOBOT_ISOLATION: 'worker',
          // V8 collects before the cgroup limit is hit; the rest is for QuickJS heaps and buffers.
          NODE_OPTIONS: `--max-old-space-size=${Math.max(64, Math.floor(limits.memoryMb * 0.6))}`,
          ...opts.env,
        }).map(([k, v]) => `${k}=${v}`),
        StopTimeout: drainSeconds + 5,
        HostConfig: {
          NetworkMode: 'host',
          Memory: memoryBytes,
          MemorySwap: memoryBytes,
          NanoCpus: Math.round(limits.cpus * 1e9),
          PidsLimit: 256,
          RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 0 },
          ReadonlyRootfs: true,
          Tmpfs: { '/tmp': 'rw,size=16m' },
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
        },
      })
      await container.start()
      await waitHealthy(port, container.id).catch(async (err: unknown) => {
        await container.remove({ force: true }).catch(() => {})
        throw err
      })
      return { containerId: container.id, port, token, limits, startedAt: new Date().toISOString() }
    } finally {
      reservedPorts.delete(port)
    }
  }

  /** A container of this workspace that still runs (platform restarted): keep it, no new token. */
  async function adopt(workspaceId: string): Promise<Instance | undefined> {
    let adopted: Instance | undefined
    for (const summary of await managedContainers(workspaceId)) {
      const info = await docker.getContainer(summary.Id).inspect().catch(() => undefined)
      const env = Object.fromEntries((info?.Config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]))
      if (!adopted && info?.State.Running && env.TWOBOT_WORKSPACE_TOKEN && env.TWOBOT_HEALTH_PORT) {
        // Asleep when the previous platform stopped: work is arriving, so thaw it.
        if (info.State.Paused) await docker.getContainer(info.Id).unpause()
        adopted = {
          containerId: info.Id,
          port: Number(env.TWOBOT_HEALTH_PORT),
          token: env.TWOBOT_WORKSPACE_TOKEN,
          limits: { memoryMb: Number(info.Config.Labels['2bot.memory-mb']), cpus: Number(info.Config.Labels['2bot.cpus']) },
          startedAt: info.State.StartedAt,
        }
      } else {
        await docker.getContainer(summary.Id).remove({ force: true }).catch(() => {})
      }
    }
    return adopted
  }

  async function start(workspaceId: string, issueToken: () => Promise<string>): Promise<void> {
    const adopted = await adopt(workspaceId)
    if (adopted) {
      running.set(workspaceId, adopted)
      return
    }
    const limits = await opts.limitsFor(workspaceId)
    const instance = await launch(workspaceId, await issueToken(), limits)
    running.set(workspaceId, instance)
    opts.logger.log('info', 'workspace container started', { workspaceId, containerId: instance.containerId.slice(0, 12), ...limits })
  }

  async function wake(workspaceId: string): Promise<void> {
    const instance = running.get(workspaceId)
    paused.delete(workspaceId)
    if (instance) await docker.getContainer(instance.containerId).unpause().catch(() => {})
  }

  async function ensureRunning(workspaceId: string, issueToken: () => Promise<string>): Promise<void> {
    if (running.has(workspaceId)) {
      if (paused.has(workspaceId)) await wake(workspaceId)
      return
    }
    let pending = starting.get(workspaceId)
    if (!pending) {
      pending = start(workspaceId, issueToken).finally(() => starting.delete(workspaceId))
      starting.set(workspaceId, pending)
    }
    await pending
  }

  /** SIGTERM: the runtime drains (runs finish, the rest goes back to the queue), then it is removed. */
  async function retire(containerId: string): Promise<void> {
    const container = docker.getContainer(containerId)
    await container.stop({ t: drainSeconds + 5 }).catch(() => {})
    await container.remove({ force: true }).catch(() => {})
  }

  async function sleep(workspaceId: string): Promise<void> {
    const instance = running.get(workspaceId)
    if (!instance || paused.has(workspaceId)) return
    paused.add(workspaceId)
    await docker.getContainer(instance.containerId).pause()
  }

  async function stop(workspaceId: string): Promise<void> {
    await starting.get(workspaceId)?.catch(() => {})
    // A frozen runtime cannot drain; thaw it so SIGTERM reaches it.
    if (paused.has(workspaceId)) await wake(workspaceId)
    const instance = running.get(workspaceId)
    running.delete(workspaceId)
    cpuSeen.delete(workspaceId)
    if (instance) await retire(instance.containerId)
    // Anything else labelled for this workspace (an earlier platform's container) goes too.
    for (const summary of await managedContainers(workspaceId)) await retire(summary.Id)
  }

  async function status(workspaceId: string): Promise<WorkspaceRuntimeStatus> {
    if (starting.has(workspaceId)) return { state: 'starting', restarts: 0 }
    const instance = running.get(workspaceId)
    if (!instance) return { state: 'stopped', restarts: 0 }
    const info = await docker.getContainer(instance.containerId).inspect().catch(() => undefined)
    const base = { instanceId: instance.containerId.slice(0, 12), limits: instance.limits, restarts: info?.RestartCount ?? 0, oomKilled: info?.State.OOMKilled ?? false }
    if (info?.State.Paused) return { ...base, state: 'sleeping', startedAt: info.State.StartedAt }
    if (info?.State.Running) return { ...base, state: 'running', startedAt: info.State.StartedAt }
    if (info?.State.Restarting) return { ...base, state: 'restarting' }
    // Gone or exited for good: forget it, so the next ensureRunning starts a fresh one.
    running.delete(workspaceId)
    return { ...base, state: 'crashed' }
  }

  async function usage(workspaceId: string): Promise<WorkspaceUsage | undefined> {
    const instance = running.get(workspaceId)
    if (!instance || paused.has(workspaceId)) return undefined
    const container = docker.getContainer(instance.containerId)
    const stats = (await container.stats({ stream: false }).catch(() => undefined)) as Docker.ContainerStats | undefined
    if (!stats) return undefined
    const totalNs = stats.cpu_stats?.cpu_usage?.total_usage ?? 0
    const at = Date.now()
    const before = cpuSeen.get(workspaceId)
    cpuSeen.set(workspaceId, { totalNs, at })
    const cpuCores = before && at > before.at ? Math.max(0, (totalNs - before.totalNs) / ((at - before.at) * 1e6)) : 0
    const health = (await fetch(`http://127.0.0.1:${instance.port}/health`, { signal: AbortSignal.timeout(1000) })
      .then((r) => r.json())
      .catch(() => undefined)) as { activeRuns?: number; activePlugins?: number } | undefined
    const info = (await container.inspect({ size: true } as Docker.ContainerInspectOptions).catch(() => undefined)) as { SizeRw?: number } | undefined
    return {
      memoryBytes: stats.memory_stats?.usage ?? 0,
      memoryLimitBytes: stats.memory_stats?.limit ?? instance.limits.memoryMb * 2 ** 20,
      cpuCores: Math.round(cpuCores * 1000) / 1000,
      cpuLimitCores: instance.limits.cpus,
      storageBytes: info?.SizeRw ?? 0,
      activeRuns: health?.activeRuns ?? 0,
      activePlugins: health?.activePlugins ?? 0,
    }
  }

  async function resize(workspaceId: string, _issueToken: () => Promise<string>): Promise<void> {
    await starting.get(workspaceId)?.catch(() => {})
    if (paused.has(workspaceId)) await wake(workspaceId)
    const old = running.get(workspaceId)
    if (!old) return
    const limits = await opts.limitsFor(workspaceId)
    if (limits.memoryMb === old.limits.memoryMb && limits.cpus === old.limits.cpus) return
    // Hot swap: the successor shares the token (issuing a new one would cut the old runtime off
    // mid-run), takes new jobs as soon as it is healthy, and the old one drains.
    const successor = await launch(workspaceId, old.token, limits)
    running.set(workspaceId, successor)
    cpuSeen.delete(workspaceId)
    opts.logger.log('info', 'workspace resized (hot swap)', { workspaceId, from: old.limits, to: limits })
    await retire(old.containerId)
  }

  return {
    kind: 'docker',
    bulkheads: true,
    ensureRunning,
    stop,
    async stopAll() {
      await Promise.all([...running.keys()].map(stop))
    },
    sleep,
    awake: () => [...running.keys()].filter((id) => !paused.has(id)),
    status,
    usage,
    resize,
    instance: (workspaceId) => running.get(workspaceId),
  }
}

/** True when a Docker-compatible engine answers on the socket (Docker, or `podman system service`). */
export async function dockerAnswers(docker: Docker, timeoutMs = 1000): Promise<boolean> {
  return Promise.race([docker.ping().then(() => true, () => false), new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs))])
}
