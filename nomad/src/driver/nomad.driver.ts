import { NomadApiError, type NomadApi } from '../api/nomad-api.client'
import type { NomadAllocationListStub, NomadDeployment, NomadJob } from '../api/nomad-types'
import { DEFAULT_CPU_MHZ_PER_VCPU, isPlanName, resourcesForPlan, type NomadResources, type PlanName } from '../job/plan-limits'
import { buildWorkspaceJob, WORKSPACE_GROUP, WORKSPACE_TASK, workspaceJobId, workspaceVariablePath } from '../job/workspace-job'

/** Who owns a workspace and what it may use; the platform looks it up (workspaces ⋈ users/organizations). */
export interface WorkspaceOwner {
  userId?: string | null
  organizationId?: string | null
  plan: string
}

export interface NomadDriverOptions {
  api: NomadApi
  /** The runtime image (WORKSPACE_IMAGE). */
  image: string
  /** Where runtimes reach the platform (`TWOBOT_API_URL`), e.g. the Worker's public URL. */
  apiUrl: string
  describeWorkspace(workspaceId: string): Promise<WorkspaceOwner>
  region?: string
  namespace?: string
  datacenters?: string[]
  cpuMhzPerVcpu?: number
  logger?: { log(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void }
  /** Milliseconds since the epoch; tests pass their own. */
  now?: () => number
}

/** How long a waker's claim on the token variable keeps other wakers away. */
const CLAIM_TTL_MS = 60_000

/** Mirrors the platform's WorkspaceRuntimeStatus (edge-api's workspace-driver.port.ts). */
export interface RuntimeStatus {
  state: 'running' | 'starting' | 'restarting' | 'stopped' | 'crashed'
  instanceId?: string
  startedAt?: string
  restarts: number
  oomKilled?: boolean
  limits?: { memoryMb: number; cpus: number }
}

export type NomadWorkspaceState = 'absent' | 'asleep' | 'starting' | 'running' | 'stopping' | 'failed' | 'stopped'

export interface NomadWorkspaceStatus {
  workspaceId: string
  jobId: string
  state: NomadWorkspaceState
  plan?: string
  desired: number
  resources?: NomadResources
  allocations: {
    id: string
    nodeId?: string
    clientStatus?: string
    desiredStatus?: string
    healthy?: boolean
    canary?: boolean
    jobVersion?: number
    taskState?: string
    startedAt?: string
    restarts?: number
    oomKilled?: boolean
  }[]
  deployment?: { id: string; status?: string; description?: string; jobVersion?: number; promoted?: boolean }
}

/**
 * Workspaces as Nomad jobs (production). One job per workspace (`workspace-<id>`), one group whose
 * count is 1 while it runs and 0 while it sleeps. The token reaches the runtime through the Nomad
 * Variable `nomad/jobs/<job id>` (see workspace-job.ts), written before each start.
 *
 * Only `fetch` underneath: the driver runs inside the Worker.
 */
export function createNomadDriver(opts: NomadDriverOptions) {
  const { api } = opts
  const cpuMhzPerVcpu = opts.cpuMhzPerVcpu ?? DEFAULT_CPU_MHZ_PER_VCPU
  const inFlight = new Map<string, Promise<void>>()
  const now = opts.now ?? Date.now

  function once(workspaceId: string, work: () => Promise<void>): Promise<void> {
    const pending = inFlight.get(workspaceId)
    if (pending) return pending
    const run = work().finally(() => inFlight.delete(workspaceId))
    inFlight.set(workspaceId, run)
    return run
  }

  async function planOf(workspaceId: string): Promise<{ owner: WorkspaceOwner; plan: PlanName }> {
    const owner = await opts.describeWorkspace(workspaceId)
    if (!isPlanName(owner.plan)) throw new Error(`workspace ${workspaceId} has an unknown plan ${JSON.stringify(owner.plan)}`)
    return { owner, plan: owner.plan }
  }

  function jobFor(workspaceId: string, owner: WorkspaceOwner, plan: PlanName, count: 0 | 1): NomadJob {
    return buildWorkspaceJob({
      workspaceId,
      userId: owner.userId ?? null,
      organizationId: owner.organizationId ?? null,
      plan,
      resources: resourcesForPlan(plan, cpuMhzPerVcpu),
      image: opts.image,
      apiUrl: opts.apiUrl,
      count,
      ...(opts.region ? { region: opts.region } : {}),
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      ...(opts.datacenters ? { datacenters: opts.datacenters } : {}),
    })
  }

  /**
   * Hands a fresh token to the workspace through its variable, unless another API instance is
   * already doing so. Tokens rotate in the platform's database when issued, so the variable must end
   * with the last token issued: a waker first claims the variable with a check-and-set write, only
   * then issues its token, and writes it with another check-and-set. A waker that finds a fresh
   * claim, or loses a race, leaves the start to the other one. A claim older than a minute (its
   * waker died) is taken over.
   */
  async function claimAndWriteToken(workspaceId: string, issueToken: () => Promise<string>): Promise<boolean> {
    const path = workspaceVariablePath(workspaceId)
    const current = await api.getVariable(path)
    const claimedAt = Number(current?.Items?.claimed_at ?? 0)
    if (current?.Items?.claim && now() - claimedAt < CLAIM_TTL_MS) return false
    try {
      const claimed = await api.putVariable(path, { claim: crypto.randomUUID(), claimed_at: String(now()) }, current?.ModifyIndex ?? 0)
      const token = await issueToken().catch(async (err: unknown) => {
        // Release the claim so the next waker need not wait for it to go stale.
        await api.putVariable(path, { released_at: String(now()) }, claimed.ModifyIndex ?? 0).catch(() => {})
        throw err
      })
      await api.putVariable(path, { token }, claimed.ModifyIndex ?? 0)
      return true
    } catch (err) {
      if (err instanceof NomadApiError && err.status === 409) return false
      throw err
    }
  }

  function sameSpec(job: NomadJob, wanted: NomadJob): boolean {
    const task = (j: NomadJob) => j.TaskGroups?.find((g) => g.Name === WORKSPACE_GROUP)?.Tasks?.find((t) => t.Name === WORKSPACE_TASK)
    const a = task(job)
    const b = task(wanted)
    return (
      job.Meta?.plan === wanted.Meta?.plan &&
      a?.Resources?.CPU === b?.Resources?.CPU &&
      a?.Resources?.MemoryMB === b?.Resources?.MemoryMB &&
      a?.Config?.image === b?.Config?.image &&
      a?.Env?.TWOBOT_API_URL === b?.Env?.TWOBOT_API_URL
    )
  }

  /**
   * Starts (registers) or wakes (scales to 1) the workspace; a running one is left alone, since a
   * new token would restart its runtime. A plan changed while asleep is applied on wake.
   */
  async function ensureRunning(workspaceId: string, issueToken: () => Promise<string>): Promise<void> {
    return once(workspaceId, async () => {
      const jobId = workspaceJobId(workspaceId)
      const job = await api.getJob(jobId)
      if (job && desiredCount(job) >= 1) return
      const { owner, plan } = await planOf(workspaceId)
      const wanted = jobFor(workspaceId, owner, plan, 1)
      if (!(await claimAndWriteToken(workspaceId, issueToken))) {
        opts.logger?.log('info', 'nomad workspace start left to another API instance', { workspaceId, jobId })
        return
      }
      if (job && !job.Stop && sameSpec(job, wanted)) {
        await api.scaleGroup(jobId, WORKSPACE_GROUP, 1, 'wake: work arrived')
        opts.logger?.log('info', 'nomad workspace woken', { workspaceId, jobId })
      } else {
        await api.registerJob(wanted)
        opts.logger?.log('info', 'nomad workspace registered', { workspaceId, jobId, plan })
      }
    })
  }

  /** Sleep: the group goes to 0; the job, its history and the variable stay for a fast wake. */
  async function sleep(workspaceId: string): Promise<void> {
    const jobId = workspaceJobId(workspaceId)
    const job = await api.getJob(jobId)
    if (!job || desiredCount(job) === 0) return
    await api.scaleGroup(jobId, WORKSPACE_GROUP, 0, 'sleep')
    opts.logger?.log('info', 'nomad workspace asleep', { workspaceId, jobId })
  }

  /**
   * Applies the owner's current plan: a new job version with the plan's resources. Nomad runs it as
   * a canary beside the old allocation and auto-promotes it when healthy (zero downtime); the canary
   * reads the same token variable, so no token changes hands. An asleep or absent workspace is left
   * alone: its next wake registers the new size.
   */
  async function applyPlan(workspaceId: string): Promise<{ changed: boolean }> {
    const jobId = workspaceJobId(workspaceId)
    const job = await api.getJob(jobId)
    if (!job || desiredCount(job) === 0) return { changed: false }
    const { owner, plan } = await planOf(workspaceId)
    const wanted = jobFor(workspaceId, owner, plan, 1)
    if (sameSpec(job, wanted)) return { changed: false }
    await api.registerJob(wanted)
    opts.logger?.log('info', 'nomad workspace resized', { workspaceId, jobId, plan })
    return { changed: true }
  }

  /** Deletes the job and its token variable (account or organization deleted). */
  async function remove(workspaceId: string): Promise<void> {
    const jobId = workspaceJobId(workspaceId)
    if (await api.getJob(jobId)) await api.deregisterJob(jobId, true)
    await api.deleteVariable(workspaceVariablePath(workspaceId))
  }

  return {
    kind: 'nomad' as const,
    bulkheads: true,
    ensureRunning,
    wake: ensureRunning,
    stop: sleep,
    sleep,
    /** Workspaces outlive the API: shutting an API instance down leaves every job running. */
    async stopAll(): Promise<void> {},
    applyPlan,
    /** WorkspaceDriver.resize: the token argument is not needed (the canary reads the same variable). */
    async resize(workspaceId: string, _issueToken?: () => Promise<string>): Promise<void> {
      await applyPlan(workspaceId)
    },
    remove,
    /** The detailed view (job, allocations, deployment) the operator CLI prints. */
    inspect: (workspaceId: string) => inspectWorkspace(api, workspaceId),
    /** WorkspaceDriver.status: the engine's view in the platform's vocabulary. */
    async status(workspaceId: string): Promise<RuntimeStatus> {
      return runtimeStatus(await inspectWorkspace(api, workspaceId), cpuMhzPerVcpu)
    },
  }
}

export type NomadDriver = ReturnType<typeof createNomadDriver>

/** A workspace's state as Nomad sees it: the job, its allocations and its latest deployment. */
export async function inspectWorkspace(api: NomadApi, workspaceId: string): Promise<NomadWorkspaceStatus> {
  const jobId = workspaceJobId(workspaceId)
  const job = await api.getJob(jobId)
  if (!job) return { workspaceId, jobId, state: 'absent', desired: 0, allocations: [] }
  const [allocs, deployment] = await Promise.all([api.jobAllocations(jobId), api.latestDeployment(jobId)])
  const desired = desiredCount(job)
  const group = job.TaskGroups?.find((g) => g.Name === WORKSPACE_GROUP)
  const res = group?.Tasks?.find((t) => t.Name === WORKSPACE_TASK)?.Resources
  return {
    workspaceId,
    jobId,
    state: stateOf(job, desired, allocs),
    ...(job.Meta?.plan ? { plan: job.Meta.plan } : {}),
    desired,
    ...(res ? { resources: { cpuMhz: res.CPU ?? 0, memoryMb: res.MemoryMB ?? 0, diskMb: group?.EphemeralDisk?.SizeMB ?? 0 } } : {}),
    allocations: allocs.map(allocSummary),
    ...(deployment?.ID ? { deployment: deploymentSummary(deployment) } : {}),
  }
}

function desiredCount(job: NomadJob): number {
  return job.Stop ? 0 : (job.TaskGroups?.find((g) => g.Name === WORKSPACE_GROUP)?.Count ?? 0)
}

const LIVE = new Set(['pending', 'running'])

export function isLiveAllocation(a: NomadAllocationListStub): boolean {
  return a.DesiredStatus === 'run' && LIVE.has(a.ClientStatus ?? '')
}

function stateOf(job: NomadJob, desired: number, allocs: NomadAllocationListStub[]): NomadWorkspaceState {
  const live = allocs.filter(isLiveAllocation)
  if (job.Stop) return live.length ? 'stopping' : 'stopped'
  if (desired === 0) return live.length ? 'stopping' : 'asleep'
  if (live.some((a) => a.ClientStatus === 'running' && a.DeploymentStatus?.Healthy !== false)) return 'running'
  if (live.length) return 'starting'
  return allocs.some((a) => a.ClientStatus === 'failed' || a.ClientStatus === 'lost') ? 'failed' : 'starting'
}

function allocSummary(a: NomadAllocationListStub): NomadWorkspaceStatus['allocations'][number] {
  const task = a.TaskStates?.[WORKSPACE_TASK]
  const oom = task?.Events?.some((e) => e.Details?.oom_killed === 'true')
  return {
    ...(task?.State ? { taskState: task.State } : {}),
    ...(task?.StartedAt ? { startedAt: task.StartedAt } : {}),
    ...(task?.Restarts !== undefined ? { restarts: task.Restarts } : {}),
    ...(oom ? { oomKilled: true } : {}),
    id: a.ID ?? '',
    ...(a.NodeID ? { nodeId: a.NodeID } : {}),
    ...(a.ClientStatus ? { clientStatus: a.ClientStatus } : {}),
    ...(a.DesiredStatus ? { desiredStatus: a.DesiredStatus } : {}),
    ...(a.DeploymentStatus?.Healthy !== undefined ? { healthy: a.DeploymentStatus.Healthy } : {}),
    ...(a.DeploymentStatus?.Canary ? { canary: true } : {}),
    ...(a.JobVersion !== undefined ? { jobVersion: a.JobVersion } : {}),
  }
}

/** The newest live allocation speaks for the workspace; a canary beside an old one is still "running". */
export function runtimeStatus(s: NomadWorkspaceStatus, cpuMhzPerVcpu = DEFAULT_CPU_MHZ_PER_VCPU): RuntimeStatus {
  const live = s.allocations.filter((a) => a.desiredStatus === 'run' && (a.clientStatus === 'pending' || a.clientStatus === 'running'))
  const current = live.find((a) => a.clientStatus === 'running' && a.taskState === 'running') ?? live.at(-1) ?? s.allocations.at(-1)
  const state: RuntimeStatus['state'] =
    s.state === 'running'
      ? current?.taskState === 'pending' && (current.restarts ?? 0) > 0
        ? 'restarting'
        : 'running'
      : s.state === 'starting'
        ? (current?.restarts ?? 0) > 0
          ? 'restarting'
          : 'starting'
        : s.state === 'failed'
          ? 'crashed'
          : 'stopped'
  return {
    state,
    ...(current && state !== 'stopped' ? { instanceId: current.id } : {}),
    ...(current?.startedAt && state !== 'stopped' ? { startedAt: current.startedAt } : {}),
    restarts: current?.restarts ?? 0,
    ...(current?.oomKilled ? { oomKilled: true } : {}),
    ...(s.resources ? { limits: { memoryMb: s.resources.memoryMb, cpus: s.resources.cpuMhz / cpuMhzPerVcpu } } : {}),
  }
}

function deploymentSummary(d: NomadDeployment): NonNullable<NomadWorkspaceStatus['deployment']> {
  const group = d.TaskGroups?.[WORKSPACE_GROUP]
  return {
    id: d.ID ?? '',
    ...(d.Status ? { status: d.Status } : {}),
    ...(d.StatusDescription ? { description: d.StatusDescription } : {}),
    ...(d.JobVersion !== undefined ? { jobVersion: d.JobVersion } : {}),
    ...(group?.Promoted !== undefined ? { promoted: group.Promoted } : {}),
  }
}
