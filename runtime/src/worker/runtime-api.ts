import type { LeasedJob, PluginStorageBody, RunStateBody, RuntimePlugin, UsageReportBody } from '@2bot/edge-api/contracts'
import type { StepRecord } from '../engine/types'

/** The platform API as the workspace runtime sees it (`/api/runtime/*`, workspace token). */
export interface RuntimeApi {
  lease(input: { owner: string; max: number; leaseSeconds: number; waitMs?: number }, signal?: AbortSignal): Promise<LeasedJob[]>
  stepStarted(executionId: string, input: { jobId: string; owner: string; key: string; attempt: number; startedAt: number }): Promise<void>
  checkpoint(
    executionId: string,
    input: { jobId: string; owner: string; key?: string; record?: StepRecord; records?: { key: string; record: StepRecord }[]; state: RunStateBody },
  ): Promise<void>
  heartbeat(executionId: string, input: { jobId: string; owner: string; leaseSeconds: number }): Promise<{ cancelRequested: boolean }>
  release(executionId: string, input: { jobId: string; owner: string; reason?: string }): Promise<void>
  /** The run's isolated thread died (its memory limit, a crash): the run ends failed with this message. */
  fail(executionId: string, input: { jobId: string; owner: string; message: string; code: 'RUN_MEMORY_LIMIT' | 'RUN_WORKER_CRASHED' }): Promise<void>
  gateway(id: string): Promise<{ id: string; type: string; config: Record<string, unknown>; credentials: Record<string, unknown> }>
  /** An installed, enabled plugin of this workspace's owner: source, config, gateway bindings. */
  plugin(slug: string): Promise<RuntimePlugin>
  pluginStorage(slug: string, op: PluginStorageBody): Promise<{ value: unknown }>
  /** The workspace's usage as the runtime sees it (where the platform cannot read the container). */
  reportUsage(report: UsageReportBody): Promise<{ recorded: boolean }>
}

/** An answer of the API that means "stop this run here": the lease moved to another attempt. */
export class LeaseLostError extends Error {
  constructor() {
    super('The lease on this job was lost')
    this.name = 'LeaseLostError'
  }
}

export class RuntimeApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The error's `details.code`, where the API gives one (e.g. PLUGIN_NOT_INSTALLED). */
    readonly detail?: string,
  ) {
    super(message)
    this.name = 'RuntimeApiError'
  }
}

/**
 * HTTP implementation. `fetch` is injectable so tests (and the embedded mode) can call the app
 * in process.
 */
export function createHttpRuntimeApi(opts: { baseUrl: string; token: string; fetch?: typeof fetch }): RuntimeApi {
  const doFetch = opts.fetch ?? fetch
  const base = opts.baseUrl.replace(/\/$/, '')
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const res = await doFetch(`${base}/api/runtime${path}`, {
      method,
      signal,
      headers: { authorization: `Bearer ${opts.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; details?: { code?: string } } }
    if (!res.ok) {
      if (res.status === 409 && json.error?.details?.code === 'LEASE_LOST') throw new LeaseLostError()
      throw new RuntimeApiError(res.status, json.error?.code ?? 'UNKNOWN', json.error?.message ?? `HTTP ${res.status}`, json.error?.details?.code)
    }
    return json as T
  }
  return {
    lease: async (input, signal) => (await call<{ jobs: LeasedJob[] }>('POST', '/lease', input, signal)).jobs,
    stepStarted: async (id, input) => void (await call('POST', `/executions/${encodeURIComponent(id)}/steps/start`, input)),
    checkpoint: async (id, input) => void (await call('POST', `/executions/${encodeURIComponent(id)}/checkpoint`, input)),
    heartbeat: (id, input) => call('POST', `/executions/${encodeURIComponent(id)}/heartbeat`, input),
    release: async (id, input) => void (await call('POST', `/executions/${encodeURIComponent(id)}/release`, input)),
    fail: async (id, input) => void (await call('POST', `/executions/${encodeURIComponent(id)}/fail`, input)),
    gateway: async (id) => (await call<{ gateway: Awaited<ReturnType<RuntimeApi['gateway']>> }>('GET', `/gateways/${encodeURIComponent(id)}`)).gateway,
    plugin: async (slug) => (await call<{ plugin: RuntimePlugin }>('GET', `/plugins/${encodeURIComponent(slug)}`)).plugin,
    pluginStorage: (slug, op) => call('POST', `/plugins/${encodeURIComponent(slug)}/storage`, op),
    reportUsage: (report) => call('POST', '/usage', report),
  }
}
