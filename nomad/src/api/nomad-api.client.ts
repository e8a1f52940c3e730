import createClient from 'openapi-fetch'
import type { paths } from './nomad-openapi.gen'
import type {
  NomadAllocationListStub,
  NomadDeployment,
  NomadJob,
  NomadJobListStub,
  NomadJobScaleStatus,
  NomadNodeListStub,
  NomadVariable,
} from './nomad-types'

export interface NomadApiOptions {
  /** The agent's address, e.g. `https://nomad.internal:4646` (without `/v1`). */
  addr: string
  /** An ACL token (`X-Nomad-Token`). */
  token?: string
  region?: string
  namespace?: string
  /** Injected by tests and by homes without a global fetch; defaults to `globalThis.fetch`. */
  fetch?: typeof fetch
}

/** A refused or failed Nomad call. `message` is Nomad's own answer, cut short; it never holds the token. */
export class NomadApiError extends Error {
  constructor(
    readonly status: number,
    readonly operation: string,
    detail: string,
  ) {
    super(`Nomad ${operation} failed (${status}): ${detail.slice(0, 300)}`)
    this.name = 'NomadApiError'
  }
}

/**
 * The Nomad calls 2Bot makes, typed from `tests/reference/nomad-openapi.yaml` (openapi-typescript)
 * and sent with openapi-fetch: plain `fetch`, so it runs on Workers as well as Node.
 */
export type NomadApi = ReturnType<typeof createNomadApi>

export function createNomadApi(opts: NomadApiOptions) {
  const client = createClient<paths>({
    baseUrl: `${opts.addr.replace(/\/+$/, '')}/v1`,
    headers: opts.token ? { 'X-Nomad-Token': opts.token } : {},
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  })
  const scope = {
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
  }

  async function call<T>(
    operation: string,
    run: Promise<{ data?: T; error?: unknown; response: Response }>,
    opts: { notFound?: 'undefined' } = {},
  ): Promise<T | undefined> {
    const { data, error, response } = await run
    if (response.ok) return data
    if (response.status === 404 && opts.notFound === 'undefined') return undefined
    throw new NomadApiError(response.status, operation, typeof error === 'string' ? error : JSON.stringify(error ?? ''))
  }
  async function must<T>(operation: string, run: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    const data = await call(operation, run)
    if (data === undefined) throw new NomadApiError(502, operation, 'empty answer')
    return data
  }

  return {
    /** The job, or undefined when Nomad has none with this id. */
    getJob: (jobId: string): Promise<NomadJob | undefined> =>
      call('GetJob', client.GET('/job/{jobName}', { params: { path: { jobName: jobId }, query: scope } }), { notFound: 'undefined' }),

    listJobs: async (prefix?: string): Promise<NomadJobListStub[]> =>
      (await call('GetJobs', client.GET('/jobs', { params: { query: { ...scope, ...(prefix ? { prefix } : {}) } } }))) ?? [],

    /** Registers or updates a job (a changed spec starts a deployment). */
    registerJob: (job: NomadJob) =>
      must('RegisterJob', client.POST('/jobs', { params: { query: scope }, body: { Job: job, ...scopeBody(opts) } })),

    /** Sets one group's count (0 = asleep); no new job version, so no canary. */
    scaleGroup: (jobId: string, group: string, count: number, message: string) =>
      must(
        'PostJobScalingRequest',
        client.POST('/job/{jobName}/scale', {
          params: { path: { jobName: jobId }, query: scope },
          body: { Count: count, Target: { Group: group }, Message: message, ...scopeBody(opts) },
        }),
      ),

    scaleStatus: (jobId: string): Promise<NomadJobScaleStatus | undefined> =>
      call('GetJobScaleStatus', client.GET('/job/{jobName}/scale', { params: { path: { jobName: jobId }, query: scope } }), {
        notFound: 'undefined',
      }),

    deregisterJob: (jobId: string, purge: boolean) =>
      must('DeleteJob', client.DELETE('/job/{jobName}', { params: { path: { jobName: jobId }, query: { ...scope, purge } } })),

    jobAllocations: async (jobId: string): Promise<NomadAllocationListStub[]> =>
      (await call(
        'GetJobAllocations',
        client.GET('/job/{jobName}/allocations', { params: { path: { jobName: jobId }, query: scope } }),
        { notFound: 'undefined' },
      )) ?? [],

    /** The job's most recent deployment, if it ever had one. */
    latestDeployment: (jobId: string): Promise<NomadDeployment | undefined> =>
      call('GetJobDeployment', client.GET('/job/{jobName}/deployment', { params: { path: { jobName: jobId }, query: scope } }), {
        notFound: 'undefined',
      }),

    promoteDeployment: (deploymentId: string) =>
      must(
        'PostDeploymentPromote',
        client.POST('/deployment/promote/{deploymentID}', {
          params: { path: { deploymentID: deploymentId }, query: scope },
          body: { DeploymentID: deploymentId, All: true, ...scopeBody(opts) },
        }),
      ),

    /** Stops one allocation; Nomad places its replacement (on another node when it can). */
    stopAllocation: (allocId: string) =>
      must('PostAllocationStop', client.POST('/allocation/{allocID}/stop', { params: { path: { allocID: allocId }, query: scope } })),

    getVariable: (path: string): Promise<NomadVariable | undefined> =>
      call('GetVariableQuery', client.GET('/var/{path}', { params: { path: { path }, query: scope } }), { notFound: 'undefined' }),

    /**
     * Writes a variable. With `cas`, only if its ModifyIndex is still `cas` (0 = only if absent);
     * otherwise Nomad answers 409 (NomadApiError.status).
     */
    putVariable: (path: string, items: Record<string, string>, cas?: number): Promise<NomadVariable> =>
      must(
        'PutVariable',
        client.PUT('/var/{path}', {
          params: { path: { path }, query: { ...scope, ...(cas !== undefined ? { cas } : {}) } },
          body: { Path: path, Items: items, ...(opts.namespace ? { Namespace: opts.namespace } : {}) },
        }),
      ),

    deleteVariable: (path: string) =>
      call(
        'DeleteVariable',
        client.DELETE('/var/{path}', {
          params: { path: { path }, query: scope },
          body: { Path: path, ...(opts.namespace ? { Namespace: opts.namespace } : {}) },
        }),
        { notFound: 'undefined' },
      ),

    listNodes: async (): Promise<NomadNodeListStub[]> => (await call('GetNodes', client.GET('/nodes', { params: { query: scope } }))) ?? [],

    nodeAllocations: async (nodeId: string): Promise<NomadAllocationListStub[]> =>
      (await call('GetNodeAllocations', client.GET('/node/{nodeId}/allocations', { params: { path: { nodeId }, query: scope } }))) ?? [],

    /** Marks a node for drain: its allocations migrate within `deadlineNs` (then they are stopped). */
    drainNode: (nodeId: string, deadlineNs: number, reason: string) =>
      must(
        'UpdateNodeDrain',
        client.POST('/node/{nodeId}/drain', {
          params: { path: { nodeId }, query: scope },
          body: { NodeID: nodeId, DrainSpec: { Deadline: deadlineNs, IgnoreSystemJobs: false }, Meta: { message: reason } },
        }),
      ),
  }
}

function scopeBody(opts: NomadApiOptions): { Region?: string; Namespace?: string } {
  return { ...(opts.region ? { Region: opts.region } : {}), ...(opts.namespace ? { Namespace: opts.namespace } : {}) }
}
