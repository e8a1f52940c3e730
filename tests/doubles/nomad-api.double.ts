import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Ajv, type ValidateFunction } from 'ajv'
import { parse as parseYaml } from 'yaml'
import { referenceFile } from '../reference/reference-file'

/**
 * The Nomad HTTP API on 127.0.0.1, built from `tests/reference/nomad-openapi.yaml` (vendored), for tests
 * that drive the real NomadDriver and operator CLI. No Nomad agent exists on npm or Debian.
 *
 * Every request is checked against the spec: the path and method must exist, required parameters
 * must be present, unknown query parameters are refused, and JSON bodies are validated with ajv
 * against the operation's schema — with `additionalProperties: false` added to every object schema
 * that lists its properties, because Nomad's decoder silently drops a misspelt field. A breach is
 * recorded in `violations` and answered 400, so a test cannot pass by accident. The double's own
 * JSON answers are validated against the response schemas the same way (`kind: 'response'`).
 * The spec lists no 404s; Nomad answers 404 for unknown ids and so does the double (not a breach).
 *
 * State: jobs (with versions), allocations (placed `pending`; `tick()` makes them `running` and
 * healthy), deployments (a changed spec of a running job places one canary; with `AutoPromote` the
 * next tick after it is healthy promotes it and stops the old allocation), group scaling (bounded
 * by the group's `Scaling` Min/Max), node drain (allocations move off on the next tick), variables.
 *
 * @example
 * const nomad = await startNomadDouble({ token: 's3cret' })
 * const api = createNomadApi({ addr: nomad.addr, token: 's3cret' })
 * await api.registerJob(job); nomad.tick()
 * expect(nomad.violations).toEqual([])
 * await nomad.stop()
 */
export interface NomadDouble {
  /** e.g. `http://127.0.0.1:43117` (the API lives under `/v1`). */
  addr: string
  calls: NomadCall[]
  violations: NomadViolation[]
  state: NomadState
  /** Advances the cluster one step (placements start, health arrives, promotions, drains). */
  tick(): void
  /** Ticks until nothing changes (at most `max` times). */
  settle(max?: number): void
  /** The next canary placed is reported unhealthy (its deployment fails and auto-reverts). */
  failNextCanary(): void
  /** The allocation's tasks die (OOM-killed when `oom`) and restart in place on the next tick. */
  crashTask(allocId: string, opts?: { oom?: boolean }): void
  stop(): Promise<void>
}

export interface NomadCall {
  method: string
  path: string
  operationId?: string
  status: number
  body?: unknown
}

export interface NomadViolation {
  kind: 'request' | 'response'
  operation: string
  message: string
}

type Json = Record<string, unknown>
interface Alloc {
  ID: string
  EvalID: string
  Name: string
  Namespace: string
  NodeID: string
  NodeName: string
  JobID: string
  JobType: string
  JobVersion: number
  TaskGroup: string
  DesiredStatus: 'run' | 'stop'
  DesiredDescription: string
  ClientStatus: 'pending' | 'running' | 'complete' | 'failed'
  ClientDescription: string
  DeploymentStatus?: { Canary: boolean; Healthy?: boolean; Timestamp?: string }
  DeploymentID?: string
  TaskStates: Record<string, TaskState>
  CreateIndex: number
  ModifyIndex: number
  CreateTime: number
  ModifyTime: number
}
interface TaskState {
  State: 'pending' | 'running' | 'dead'
  Failed: boolean
  Restarts: number
  StartedAt?: string
  FinishedAt?: string
  LastRestart?: string
  Events: { Type: string; Time: number; DisplayMessage: string; Details: Record<string, string> }[]
}
interface Deployment {
  ID: string
  Namespace: string
  JobID: string
  JobVersion: number
  JobModifyIndex: number
  JobSpecModifyIndex: number
  JobCreateIndex: number
  Status: 'running' | 'successful' | 'failed'
  StatusDescription: string
  TaskGroups: Record<string, { AutoRevert: boolean; AutoPromote: boolean; Promoted: boolean; DesiredCanaries: number; DesiredTotal: number; PlacedAllocs: number; HealthyAllocs: number; UnhealthyAllocs: number; PlacedCanaries: string[] }>
  CreateIndex: number
  ModifyIndex: number
}
interface NodeState {
  ID: string
  Name: string
  Datacenter: string
  Status: 'ready' | 'down'
  SchedulingEligibility: 'eligible' | 'ineligible'
  Drain: boolean
  drainDeadlineNs?: number
  LastDrain?: { Status: string; StartedAt: string; UpdatedAt: string; Meta: Record<string, string> }
  CreateIndex: number
  ModifyIndex: number
}
export interface NomadState {
  jobs: Map<string, { job: Json; versions: Json[]; createIndex: number; submitTime: number }>
  allocations: Alloc[]
  deployments: Deployment[]
  nodes: NodeState[]
  variables: Map<string, { items: Record<string, string>; createIndex: number; modifyIndex: number; createTime: number; modifyTime: number }>
}

interface Operation {
  method: string
  template: string
  pattern: RegExp
  pathParams: string[]
  id: string
  op: Json
}

const SPEC_PATH = referenceFile('nomad-openapi.yaml')

/** Loads the spec once per process: ajv compiles schemas lazily and caches them. */
let contract: { spec: Json; ajv: Ajv; operations: Operation[]; validators: Map<string, ValidateFunction> } | undefined

function loadContract(specPath = SPEC_PATH) {
  if (contract) return contract
  const spec = parseYaml(readFileSync(specPath, 'utf8')) as Json
  const components = structuredClone(spec.components) as { schemas: Record<string, Json> }
  for (const schema of Object.values(components.schemas)) closeObjects(schema)
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false })
  ajv.addFormat('int64', true).addFormat('int32', true).addFormat('double', true).addFormat('float', true)
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/)
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)))
  ajv.addSchema({ $id: 'nomad', components }, 'nomad')
  const operations: Operation[] = []
  for (const [template, item] of Object.entries(spec.paths as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'delete'].includes(method)) continue
      const pathParams: string[] = []
      const pattern = new RegExp(
        '^/v1' + template.replace(/\{(\w+)\}/g, (_, name: string) => (pathParams.push(name), name === 'path' ? '(.+)' : '([^/]+)')) + '$',
      )
      operations.push({ method: method.toUpperCase(), template, pattern, pathParams, id: (op as Json).operationId as string, op: op as Json })
    }
  }
  // Literal paths before templated ones (`/jobs/parse` is not `/jobs/{x}`).
  operations.sort((a, b) => a.pathParams.length - b.pathParams.length)
  contract = { spec, ajv, operations, validators: new Map() }
  return contract
}

/** Nomad's Go decoder ignores unknown fields; the double refuses them so a typo cannot pass. */
function closeObjects(schema: unknown): void {
  if (!schema || typeof schema !== 'object') return
  const s = schema as Json
  if (s.properties && s.additionalProperties === undefined) s.additionalProperties = false
  for (const value of Object.values(s)) {
    if (Array.isArray(value)) value.forEach(closeObjects)
    else closeObjects(value)
  }
}

function resolve(ref: unknown): Json {
  const c = loadContract()
  let node = ref as Json
  while (node && typeof node.$ref === 'string') {
    node = (node.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((acc, key) => (acc as Json)[key], c.spec) as Json
  }
  return node
}

function validatorFor(schema: Json): ValidateFunction {
  const c = loadContract()
  const key = JSON.stringify(schema)
  let fn = c.validators.get(key)
  if (!fn) {
    const rewritten = JSON.parse(key.replace(/"#\/components\//g, '"nomad#/components/')) as Json
    fn = c.ajv.compile(rewritten)
    c.validators.set(key, fn)
  }
  return fn
}

function schemaErrors(schema: Json, value: unknown): string[] {
  const fn = validatorFor(schema)
  if (fn(value)) return []
  return (fn.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`)
}

export interface NomadDoubleOptions {
  /** When set, every call must carry it in `X-Nomad-Token` (403 otherwise). */
  token?: string
  /** Nodes to start with; default two ready nodes, `node-1` and `node-2`. */
  nodes?: string[]
  port?: number
}

export async function startNomadDouble(options: NomadDoubleOptions = {}): Promise<NomadDouble> {
  const { operations } = loadContract()
  const calls: NomadCall[] = []
  const violations: NomadViolation[] = []
  let index = 10
  const nextIndex = () => ++index
  const now = () => Date.now()
  const state: NomadState = {
    jobs: new Map(),
    allocations: [],
    deployments: [],
    nodes: (options.nodes ?? ['node-1', 'node-2']).map((name) => ({
      ID: `${name}-${randomUUID().slice(0, 8)}`,
      Name: name,
      Datacenter: 'dc1',
      Status: 'ready',
      SchedulingEligibility: 'eligible',
      Drain: false,
      CreateIndex: 1,
      ModifyIndex: 1,
    })),
    variables: new Map(),
  }
  let failCanary = false

  class HttpError extends Error {
    constructor(
      readonly status: number,
      message: string,
    ) {
      super(message)
    }
  }

  // ---- cluster model ----
  const groupOf = (job: Json, name: string) => (job.TaskGroups as Json[] | undefined)?.find((g) => g.Name === name)
  const liveAllocs = (jobId: string) => state.allocations.filter((a) => a.JobID === jobId && a.DesiredStatus === 'run' && (a.ClientStatus === 'pending' || a.ClientStatus === 'running'))

  function pickNode(avoid?: string): NodeState {
    const eligible = state.nodes.filter((n) => n.Status === 'ready' && n.SchedulingEligibility === 'eligible' && !n.Drain)
    const node = eligible.find((n) => n.ID !== avoid) ?? eligible[0]
    if (!node) throw new HttpError(500, 'no eligible node to place on')
    return node
  }

  function place(job: Json, group: string, opts: { canary?: boolean; deploymentId?: string; avoidNode?: string } = {}): Alloc {
    const node = pickNode(opts.avoidNode)
    const t = now()
    const alloc: Alloc = {
      ID: randomUUID(),
      EvalID: randomUUID(),
      Name: `${job.ID as string}.${group}[0]`,
      Namespace: (job.Namespace as string) ?? 'default',
      NodeID: node.ID,
      NodeName: node.Name,
      JobID: job.ID as string,
      JobType: (job.Type as string) ?? 'service',
      JobVersion: job.Version as number,
      TaskGroup: group,
      DesiredStatus: 'run',
      DesiredDescription: '',
      ClientStatus: 'pending',
      ClientDescription: 'No tasks have started',
      ...(opts.deploymentId ? { DeploymentID: opts.deploymentId, DeploymentStatus: { Canary: !!opts.canary } } : {}),
      TaskStates: Object.fromEntries(
        ((groupOf(job, group)?.Tasks as Json[] | undefined) ?? []).map((task) => [task.Name as string, { State: 'pending', Failed: false, Restarts: 0, Events: [event('Received', 'Task received by client', t)] } satisfies TaskState]),
      ),
      CreateIndex: nextIndex(),
      ModifyIndex: index,
      CreateTime: t * 1e6,
      ModifyTime: t * 1e6,
    }
    state.allocations.push(alloc)
    return alloc
  }

  function event(type: string, message: string, t: number, details: Record<string, string> = {}) {
    return { Type: type, Time: t * 1e6, DisplayMessage: message, Details: details }
  }

  function stopAlloc(a: Alloc, why: string) {
    for (const task of Object.values(a.TaskStates)) {
      if (task.State !== 'dead') Object.assign(task, { State: 'dead', FinishedAt: new Date().toISOString() })
    }
    a.DesiredStatus = 'stop'
    a.DesiredDescription = why
    if (a.ClientStatus === 'pending' || a.ClientStatus === 'running') a.ClientStatus = 'complete'
    a.ClientDescription = 'All tasks have completed'
    a.ModifyIndex = nextIndex()
    a.ModifyTime = now() * 1e6
  }

  function reconcileCount(job: Json) {
    for (const group of (job.TaskGroups as Json[]) ?? []) {
      const name = group.Name as string
      const live = liveAllocs(job.ID as string).filter((a) => a.TaskGroup === name)
      const wanted = job.Stop ? 0 : ((group.Count as number | undefined) ?? 1)
      for (let i = live.length; i < wanted; i++) place(job, name)
      for (const extra of live.slice(wanted).reverse()) stopAlloc(extra, 'alloc not needed due to job update')
    }
  }

  /** What a new version changes apart from counts decides whether it needs a deployment. */
  const specKey = (job: Json) =>
    JSON.stringify({ ...job, Version: 0, Stop: false, TaskGroups: ((job.TaskGroups as Json[]) ?? []).map((g) => ({ ...g, Count: 0 })) })

  function register(body: Json): Json {
    const job = structuredClone(body.Job) as Json | undefined
    if (!job || typeof job.ID !== 'string' || !job.ID) throw new HttpError(400, 'Job ID does not match name')
    const groups = (job.TaskGroups as Json[] | undefined) ?? []
    if (!groups.length || groups.some((g) => !(g.Tasks as Json[] | undefined)?.length)) throw new HttpError(400, '1 error occurred:\n\t* Missing job task groups or tasks')
    for (const g of groups) {
      const s = g.Scaling as Json | undefined
      if (s && typeof g.Count === 'number' && (g.Count < (s.Min as number) || g.Count > (s.Max as number))) throw new HttpError(400, `task group count must not be outside scaling bounds`)
    }
    const existing = state.jobs.get(job.ID)
    const wasRunning = existing && !existing.job.Stop && liveAllocs(job.ID).length > 0
    const specChanged = !existing || specKey(existing.job) !== specKey(job) || !!existing.job.Stop
    const t = now()
    job.Namespace ??= 'default'
    job.Region ??= 'global'
    job.Status = 'pending'
    job.Stop = false
    job.Version = existing ? (existing.job.Version as number) + 1 : 0
    job.CreateIndex = existing?.createIndex ?? nextIndex()
    job.JobModifyIndex = nextIndex()
    job.ModifyIndex = index
    job.SubmitTime = t * 1e6
    job.Stable = false
    const entry = { job, versions: [...(existing?.versions ?? []), job], createIndex: job.CreateIndex as number, submitTime: t * 1e6 }
    state.jobs.set(job.ID, entry)
    const update = job.Update as Json | undefined
    if (specChanged && job.Type === 'service' && update) {
      for (const g of groups) {
        const name = g.Name as string
        const canaries = wasRunning ? ((update.Canary as number | undefined) ?? 0) : 0
        const deployment: Deployment = {
          ID: randomUUID(),
          Namespace: job.Namespace as string,
          JobID: job.ID,
          JobVersion: job.Version as number,
          JobModifyIndex: job.JobModifyIndex as number,
          JobSpecModifyIndex: job.JobModifyIndex as number,
          JobCreateIndex: job.CreateIndex as number,
          Status: 'running',
          StatusDescription: !canaries ? 'Deployment is running' : update.AutoPromote ? 'Deployment is running pending automatic promotion' : 'Deployment is running but requires manual promotion',
          TaskGroups: {
            [name]: {
              AutoRevert: !!update.AutoRevert,
              AutoPromote: !!update.AutoPromote,
              Promoted: false,
              DesiredCanaries: canaries,
              DesiredTotal: (g.Count as number | undefined) ?? 1,
              PlacedAllocs: 0,
              HealthyAllocs: 0,
              UnhealthyAllocs: 0,
              PlacedCanaries: [],
            },
          },
          CreateIndex: nextIndex(),
          ModifyIndex: index,
        }
        state.deployments.push(deployment)
        const tg = deployment.TaskGroups[name]!
        if (canaries) {
          // Old allocations keep serving until the canary is healthy and promoted.
          for (let i = 0; i < canaries; i++) {
            const a = place(job, name, { canary: true, deploymentId: deployment.ID })
            tg.PlacedCanaries.push(a.ID)
            tg.PlacedAllocs++
          }
        } else {
          for (const old of liveAllocs(job.ID).filter((a) => a.TaskGroup === name)) stopAlloc(old, 'alloc is being updated due to job update')
          for (let i = 0; i < tg.DesiredTotal && !job.Stop; i++) {
            place(job, name, { deploymentId: deployment.ID })
            tg.PlacedAllocs++
          }
          if (tg.DesiredTotal === 0) deployment.Status = 'successful'
        }
      }
    } else {
      reconcileCount(job)
    }
    return { EvalID: randomUUID(), EvalCreateIndex: index, JobModifyIndex: job.JobModifyIndex, Warnings: '', LastIndex: index, KnownLeader: true, LastContact: 0, RequestTime: 1000 }
  }

  function tick() {
    const t = now()
    for (const a of state.allocations) {
      if (a.DesiredStatus !== 'run') continue
      if (a.ClientStatus === 'pending') {
        a.ClientStatus = 'running'
        a.ClientDescription = 'Tasks are running'
        for (const task of Object.values(a.TaskStates)) {
          task.State = 'running'
          task.StartedAt = new Date(t).toISOString()
          task.Events.push(event('Started', 'Task started by client', t))
        }
        a.ModifyIndex = nextIndex()
        a.ModifyTime = t * 1e6
      } else if (a.ClientStatus === 'running' && a.DeploymentStatus && a.DeploymentStatus.Healthy === undefined) {
        const healthy = !(a.DeploymentStatus.Canary && failCanary)
        if (a.DeploymentStatus.Canary && failCanary) failCanary = false
        a.DeploymentStatus = { ...a.DeploymentStatus, Healthy: healthy, Timestamp: new Date(t).toISOString() }
        const d = state.deployments.find((x) => x.ID === a.DeploymentID)
        const tg = d?.TaskGroups[a.TaskGroup]
        if (tg) {
          if (healthy) tg.HealthyAllocs++
          else tg.UnhealthyAllocs++
        }
      }
    }
    for (const d of state.deployments.filter((x) => x.Status === 'running')) {
      const entry = state.jobs.get(d.JobID)
      for (const [group, tg] of Object.entries(d.TaskGroups)) {
        if (tg.UnhealthyAllocs > 0) {
          d.Status = 'failed'
          d.StatusDescription = 'Failed due to unhealthy allocations'
          for (const id of tg.PlacedCanaries) {
            const a = state.allocations.find((x) => x.ID === id)
            if (a) stopAlloc(a, 'alloc was rescheduled because it failed')
          }
          if (tg.AutoRevert && entry) {
            const stable = [...entry.versions].reverse().find((v) => v.Version !== d.JobVersion && v.Stable)
            if (stable) {
              d.StatusDescription += ' - rolling back to job version ' + String(stable.Version)
              entry.job = { ...structuredClone(stable), Version: (entry.job.Version as number) + 1, Stable: true }
              entry.versions.push(entry.job)
              reconcileCount(entry.job)
            }
          }
        } else if (tg.DesiredCanaries > 0 && !tg.Promoted && tg.HealthyAllocs >= tg.DesiredCanaries && tg.AutoPromote) {
          tg.Promoted = true
          // Promotion: the canaries become the group's allocations; older versions stop.
          for (const old of liveAllocs(d.JobID).filter((a) => a.TaskGroup === group && a.JobVersion < d.JobVersion)) stopAlloc(old, 'alloc is being updated due to job update')
          for (const id of tg.PlacedCanaries) {
            const a = state.allocations.find((x) => x.ID === id)
            if (a?.DeploymentStatus) a.DeploymentStatus.Canary = false
          }
          d.StatusDescription = 'Deployment is running'
        } else if ((tg.DesiredCanaries === 0 || tg.Promoted) && tg.HealthyAllocs >= Math.max(tg.DesiredTotal, tg.DesiredCanaries)) {
          d.Status = 'successful'
          d.StatusDescription = 'Deployment completed successfully'
          const version = entry?.versions.find((v) => v.Version === d.JobVersion)
          if (version) version.Stable = true
        }
      }
      d.ModifyIndex = nextIndex()
    }
    for (const [, entry] of state.jobs) {
      if (entry.job.Stop) entry.job.Status = liveAllocs(entry.job.ID as string).length ? 'running' : 'dead'
      else entry.job.Status = liveAllocs(entry.job.ID as string).length ? 'running' : 'pending'
    }
    for (const node of state.nodes.filter((n) => n.Drain)) {
      const onNode = state.allocations.filter((a) => a.NodeID === node.ID && a.DesiredStatus === 'run')
      for (const a of onNode) {
        stopAlloc(a, 'alloc is being migrated')
        const entry = state.jobs.get(a.JobID)
        if (entry) place(entry.job, a.TaskGroup, { avoidNode: node.ID })
      }
      if (!onNode.length) {
        node.Drain = false
        node.drainDeadlineNs = undefined
        if (node.LastDrain) node.LastDrain = { ...node.LastDrain, Status: 'complete', UpdatedAt: new Date(t).toISOString() }
        node.ModifyIndex = nextIndex()
      }
    }
  }

  // ---- answers (shaped as the spec's schemas) ----
  // AllocationListStub has no DeploymentID: it stays internal.
  const allocStub = ({ DeploymentID: _deployment, ...rest }: Alloc) => rest
  const jobStub = (e: { job: Json }) => {
    const j = e.job
    const summary: Record<string, Json> = {}
    for (const g of (j.TaskGroups as Json[]) ?? []) {
      const mine = state.allocations.filter((a) => a.JobID === j.ID && a.TaskGroup === g.Name)
      summary[g.Name as string] = {
        Queued: 0,
        Starting: mine.filter((a) => a.ClientStatus === 'pending' && a.DesiredStatus === 'run').length,
        Running: mine.filter((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run').length,
        Complete: mine.filter((a) => a.ClientStatus === 'complete').length,
        Failed: mine.filter((a) => a.ClientStatus === 'failed').length,
        Lost: 0,
      }
    }
    return {
      ID: j.ID,
      Name: j.Name ?? j.ID,
      Namespace: j.Namespace,
      Type: j.Type,
      Priority: j.Priority ?? 50,
      Datacenters: j.Datacenters ?? [],
      Status: j.Status,
      StatusDescription: '',
      Stop: !!j.Stop,
      Periodic: false,
      ParameterizedJob: false,
      ParentID: '',
      SubmitTime: j.SubmitTime,
      CreateIndex: j.CreateIndex,
      ModifyIndex: j.ModifyIndex,
      JobModifyIndex: j.JobModifyIndex,
      JobSummary: { JobID: j.ID, Namespace: j.Namespace, Summary: summary, CreateIndex: j.CreateIndex, ModifyIndex: j.ModifyIndex },
    }
  }
  const nodeStub = (n: NodeState) => {
    const { drainDeadlineNs: _d, ...rest } = n
    return { ...rest, Address: '127.0.0.1', NodeClass: '', Version: '1.7.7', StatusDescription: '', Drivers: { docker: { Detected: true, Healthy: true, HealthDescription: 'Healthy', Attributes: {}, UpdateTime: new Date().toISOString() } } }
  }
  const publicDeployment = (d: Deployment) => ({
    ...d,
    TaskGroups: Object.fromEntries(Object.entries(d.TaskGroups).map(([k, { AutoPromote: _a, ...v }]) => [k, v])),
  })
  const jobOr404 = (id: string) => {
    const e = state.jobs.get(id)
    if (!e) throw new HttpError(404, 'job not found')
    return e
  }

  function handle(opId: string, p: Record<string, string>, q: URLSearchParams, body: Json | undefined): unknown {
    switch (opId) {
      case 'GetJobs': {
        const prefix = q.get('prefix') ?? ''
        return [...state.jobs.values()].filter((e) => (e.job.ID as string).startsWith(prefix)).map(jobStub)
      }
      case 'RegisterJob':
        return register(body!)
      case 'PostJob':
        if ((body?.Job as Json | undefined)?.ID !== p.jobName) throw new HttpError(400, 'Job ID does not match')
        return register(body!)
      case 'GetJob':
        return jobOr404(p.jobName!).job
      case 'DeleteJob': {
        const e = jobOr404(p.jobName!)
        e.job.Stop = true
        e.job.JobModifyIndex = nextIndex()
        for (const a of liveAllocs(p.jobName!)) stopAlloc(a, 'alloc is being stopped due to job stop')
        if (q.get('purge') === 'true') state.jobs.delete(p.jobName!)
        return { EvalID: randomUUID(), EvalCreateIndex: index, JobModifyIndex: index, LastIndex: index, KnownLeader: true, LastContact: 0, RequestTime: 1000 }
      }
      case 'GetJobAllocations':
        jobOr404(p.jobName!)
        return state.allocations.filter((a) => a.JobID === p.jobName).map(allocStub)
      case 'GetJobDeployments':
        jobOr404(p.jobName!)
        return state.deployments.filter((d) => d.JobID === p.jobName).reverse().map(publicDeployment)
      case 'GetJobDeployment': {
        jobOr404(p.jobName!)
        const latest = state.deployments.filter((d) => d.JobID === p.jobName).at(-1)
        if (!latest) throw new HttpError(404, 'no deployment')
        return publicDeployment(latest)
      }
      case 'GetJobScaleStatus': {
        const e = jobOr404(p.jobName!)
        const groups: Record<string, Json> = {}
        for (const g of (e.job.TaskGroups as Json[]) ?? []) {
          const mine = liveAllocs(p.jobName!).filter((a) => a.TaskGroup === g.Name)
          groups[g.Name as string] = {
            Desired: g.Count ?? 1,
            Placed: mine.length,
            Running: mine.filter((a) => a.ClientStatus === 'running').length,
            Healthy: mine.filter((a) => a.ClientStatus === 'running' && a.DeploymentStatus?.Healthy !== false).length,
            Unhealthy: mine.filter((a) => a.DeploymentStatus?.Healthy === false).length,
            Events: [],
          }
        }
        return { JobID: e.job.ID, Namespace: e.job.Namespace, JobStopped: !!e.job.Stop, JobCreateIndex: e.job.CreateIndex, JobModifyIndex: e.job.JobModifyIndex, TaskGroups: groups }
      }
      case 'PostJobScalingRequest': {
        const e = jobOr404(p.jobName!)
        const groupName = (body?.Target as Record<string, string> | undefined)?.Group
        const group = groupName ? groupOf(e.job, groupName) : undefined
        if (!group) throw new HttpError(400, 'Target must include Group')
        const count = body?.Count
        if (typeof count !== 'number') throw new HttpError(400, 'scaling action without count is only allowed with Error=true')
        const s = group.Scaling as Json | undefined
        if (s && (count < (s.Min as number) || count > (s.Max as number))) throw new HttpError(400, `group count was greater than scaling policy maximum: ${count} > ${String(s.Max)}`)
        group.Count = count
        e.job.Version = (e.job.Version as number) + 1
        e.job.JobModifyIndex = nextIndex()
        reconcileCount(e.job)
        return { EvalID: randomUUID(), EvalCreateIndex: index, JobModifyIndex: index, Warnings: '', LastIndex: index, KnownLeader: true, LastContact: 0, RequestTime: 1000 }
      }
      case 'GetDeployment': {
        const d = state.deployments.find((x) => x.ID === p.deploymentID)
        if (!d) throw new HttpError(404, 'deployment not found')
        return publicDeployment(d)
      }
      case 'PostDeploymentPromote': {
        const d = state.deployments.find((x) => x.ID === p.deploymentID)
        if (!d) throw new HttpError(404, 'deployment not found')
        for (const tg of Object.values(d.TaskGroups)) {
          if (tg.HealthyAllocs < tg.DesiredCanaries) throw new HttpError(400, 'Task group has 0/1 healthy allocations')
          tg.AutoPromote = true
        }
        tick()
        return { EvalID: randomUUID(), EvalCreateIndex: index, DeploymentModifyIndex: index, LastIndex: index, RequestTime: 1000 }
      }
      case 'GetAllocations':
        return state.allocations.map(allocStub)
      case 'PostAllocationStop': {
        const a = state.allocations.find((x) => x.ID === p.allocID)
        if (!a) throw new HttpError(404, 'alloc not found')
        const entry = state.jobs.get(a.JobID)
        const wasLive = a.DesiredStatus === 'run'
        stopAlloc(a, 'alloc was stopped by an operator')
        if (entry && wasLive && !entry.job.Stop) place(entry.job, a.TaskGroup, { avoidNode: a.NodeID })
        return { EvalID: randomUUID(), Index: index }
      }
      case 'GetNodes':
        return state.nodes.map(nodeStub)
      case 'GetNodeAllocations': {
        if (!state.nodes.some((n) => n.ID === p.nodeId)) throw new HttpError(404, 'node not found')
        return state.allocations.filter((a) => a.NodeID === p.nodeId).map(allocStub)
      }
      case 'UpdateNodeDrain': {
        const node = state.nodes.find((n) => n.ID === p.nodeId)
        if (!node) throw new HttpError(404, 'node not found')
        const spec = body?.DrainSpec as Json | undefined
        if (spec) {
          const t = new Date().toISOString()
          node.Drain = true
          node.SchedulingEligibility = 'ineligible'
          node.drainDeadlineNs = spec.Deadline as number
          node.LastDrain = { Status: 'draining', StartedAt: t, UpdatedAt: t, Meta: (body?.Meta as Record<string, string>) ?? {} }
        } else {
          node.Drain = false
          if (body?.MarkEligible) node.SchedulingEligibility = 'eligible'
        }
        node.ModifyIndex = nextIndex()
        return { EvalIDs: [], EvalCreateIndex: index, NodeModifyIndex: index, LastIndex: index, RequestTime: 1000 }
      }
      case 'GetVariableQuery': {
        const v = state.variables.get(p.path!)
        if (!v) throw new HttpError(404, 'variable not found')
        return variableOut(p.path!, v)
      }
      case 'PutVariable':
      case 'PostVariable': {
        if (body?.Path !== undefined && body.Path !== p.path) throw new HttpError(400, 'variable path in body does not match path in URL')
        if (!/^[a-zA-Z0-9\-_~/]{1,128}$/.test(p.path!)) throw new HttpError(400, 'invalid path')
        const items = (body?.Items as Record<string, string> | undefined) ?? {}
        if (!Object.keys(items).length) throw new HttpError(400, 'variable missing required Items object')
        const t = now() * 1e6
        const prev = state.variables.get(p.path!)
        const cas = q.get('cas')
        if (cas !== null && Number(cas) !== (prev?.modifyIndex ?? 0)) {
          // Nomad answers a lost check-and-set with 409 and the variable as it is now.
          throw new HttpError(409, JSON.stringify(prev ? variableOut(p.path!, prev) : {}))
        }
        const v = { items, createIndex: prev?.createIndex ?? nextIndex(), modifyIndex: nextIndex(), createTime: prev?.createTime ?? t, modifyTime: t }
        state.variables.set(p.path!, v)
        return variableOut(p.path!, v)
      }
      case 'DeleteVariable':
        if (!state.variables.delete(p.path!)) throw new HttpError(404, 'variable not found')
        return undefined
      default:
        throw new HttpError(501, `the double does not implement ${opId}`)
    }
  }
  const variableOut = (path: string, v: { items: Record<string, string>; createIndex: number; modifyIndex: number; createTime: number; modifyTime: number }) => ({
    Namespace: 'default',
    Path: path,
    Items: v.items,
    CreateIndex: v.createIndex,
    ModifyIndex: v.modifyIndex,
    CreateTime: v.createTime,
    ModifyTime: v.modifyTime,
  })

  // ---- HTTP + contract checks ----
  function checkRequest(op: Operation, url: URL, req: IncomingMessage, raw: string): { params: Record<string, string>; body?: Json; problems: string[] } {
    const problems: string[] = []
    const match = op.pattern.exec(url.pathname)!
    const params: Record<string, string> = {}
    op.pathParams.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1]!)))
    const declared = ((op.op.parameters as unknown[]) ?? []).map(resolve)
    const known = new Set(declared.filter((d) => d.in === 'query').map((d) => d.name as string))
    for (const d of declared) {
      const name = d.name as string
      const schema = (d.schema as Json) ?? {}
      const value = d.in === 'query' ? url.searchParams.get(name) : d.in === 'header' ? (req.headers[name.toLowerCase()] as string | undefined) ?? null : d.in === 'path' ? params[name] ?? null : null
      if (value === null || value === undefined) {
        if (d.required) problems.push(`missing required ${String(d.in)} parameter ${name}`)
        continue
      }
      if (schema.type === 'integer' && !/^-?\d+$/.test(value)) problems.push(`${String(d.in)} parameter ${name} must be an integer, got ${JSON.stringify(value)}`)
      if (schema.type === 'boolean' && value !== 'true' && value !== 'false') problems.push(`${String(d.in)} parameter ${name} must be a boolean, got ${JSON.stringify(value)}`)
    }
    for (const name of url.searchParams.keys()) if (!known.has(name)) problems.push(`unknown query parameter ${name}`)
    const requestBody = op.op.requestBody ? resolve(op.op.requestBody) : undefined
    let body: Json | undefined
    if (raw) {
      if (!requestBody) problems.push('a body was sent to an operation that takes none')
      else {
        try {
          body = JSON.parse(raw) as Json
        } catch {
          problems.push('body is not JSON')
        }
        const schema = (requestBody.content as Json | undefined)?.['application/json'] as Json | undefined
        if (body !== undefined && schema?.schema) problems.push(...schemaErrors(schema.schema as Json, body).map((m) => `body ${m}`))
      }
    } else if (requestBody?.required) problems.push('missing required request body')
    return { params, ...(body !== undefined ? { body } : {}), problems }
  }

  function checkResponse(op: Operation, status: number, payload: unknown): string[] {
    const responses = (op.op.responses as Json) ?? {}
    const declared = responses[String(status)]
    if (!declared) return status === 404 ? [] : [`status ${status} is not a documented answer`]
    const content = resolve(declared).content as Json | undefined
    const schema = (content?.['application/json'] as Json | undefined)?.schema as Json | undefined
    if (!schema) return payload === undefined ? [] : ['a JSON body where the spec declares none']
    return schemaErrors(schema, payload).map((m) => `answer ${m}`)
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const method = req.method ?? 'GET'
      const send = (status: number, payload: unknown, op?: Operation) => {
        if (op && status < 400) {
          for (const message of checkResponse(op, status, payload)) violations.push({ kind: 'response', operation: op.id, message })
        }
        calls.push({ method, path: url.pathname + url.search, ...(op ? { operationId: op.id } : {}), status, ...(raw ? { body: safeJson(raw) } : {}) })
        if (payload === undefined) {
          res.writeHead(status, { 'X-Nomad-Index': String(index) }).end()
        } else if (typeof payload === 'string' && status >= 400) {
          res.writeHead(status, { 'Content-Type': 'text/plain' }).end(payload)
        } else {
          res.writeHead(status, { 'Content-Type': 'application/json', 'X-Nomad-Index': String(index), 'X-Nomad-KnownLeader': 'true', 'X-Nomad-LastContact': '0' }).end(JSON.stringify(payload))
        }
      }
      const candidates = operations.filter((o) => o.pattern.test(url.pathname))
      const op = candidates.find((o) => o.method === method)
      if (!op) {
        const message = candidates.length ? `method ${method} not allowed on ${url.pathname}` : `no such path ${url.pathname}`
        violations.push({ kind: 'request', operation: `${method} ${url.pathname}`, message })
        return send(candidates.length ? 405 : 404, message)
      }
      const { params, body, problems } = checkRequest(op, url, req, raw)
      if (problems.length) {
        for (const message of problems) violations.push({ kind: 'request', operation: op.id, message })
        return send(400, problems.join('; '), op)
      }
      if (options.token && req.headers['x-nomad-token'] !== options.token) return send(403, 'Permission denied', op)
      try {
        send(200, handle(op.id, params, url.searchParams, body), op)
      } catch (err) {
        if (err instanceof HttpError) return send(err.status, err.message, op)
        send(500, String(err), op)
      }
    })
  })
  await new Promise<void>((resolveListen) => server.listen(options.port ?? 0, '127.0.0.1', resolveListen))
  const { port } = server.address() as AddressInfo

  return {
    addr: `http://127.0.0.1:${port}`,
    calls,
    violations,
    state,
    tick,
    settle(max = 10) {
      for (let i = 0; i < max; i++) {
        const before = JSON.stringify([state.allocations, state.deployments, state.nodes])
        tick()
        if (JSON.stringify([state.allocations, state.deployments, state.nodes]).replace(/"ModifyIndex":\d+/g, '') === before.replace(/"ModifyIndex":\d+/g, '')) return
      }
    },
    failNextCanary() {
      failCanary = true
    },
    crashTask(allocId, crash = {}) {
      const a = state.allocations.find((x) => x.ID === allocId)
      if (!a) throw new Error(`no allocation ${allocId}`)
      const t = now()
      for (const task of Object.values(a.TaskStates)) {
        task.Restarts++
        task.State = 'pending'
        task.LastRestart = new Date(t).toISOString()
        task.Events.push(event('Terminated', crash.oom ? 'OOM Killed' : 'Exit Code: 1', t, crash.oom ? { oom_killed: 'true', exit_code: '137' } : { exit_code: '1' }))
        task.Events.push(event('Restarting', 'Task restarting in 15s', t))
      }
      a.ClientStatus = 'pending'
      a.ModifyIndex = nextIndex()
    },
    stop: () => new Promise<void>((resolveClose) => server.close(() => resolveClose())),
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}
