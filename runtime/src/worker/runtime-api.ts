import type { LeasedJob, PluginStorageBody, RunOp, RunOpResult, RunStateBody, RuntimePlugin, UsageReportBody } from '@2bot/contracts'
import { createRunOpsBatcher } from './run-ops-batcher'
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
  /** A gateway's config and decrypted credentials; `stamp` is its last write (see LeasedJob.gatewayStamps). */
  gateway(id: string): Promise<{ id: string; type: string; config: Record<string, unknown>; credentials: Record<string, unknown>; stamp?: string }>
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

/** A request that never reached a live server: the pooled connection was stale, or the server restarted. */
const staleConnection = (err: unknown) => {
  const code = ((err as { cause?: { code?: string } }).cause?.code ?? '') as string
  return err instanceof TypeError && /ECONNRESET|EPIPE|ECONNREFUSED|UND_ERR_SOCKET|UND_ERR_CLOSED/.test(code)
}

/** How long one call may take before the runtime gives up on it (a lease's long poll adds its wait). */
const CALL_TIMEOUT_MS = 30_000

/**
 * HTTP implementation. `fetch` is injectable so tests (and the embedded mode) can call the app
 * in process. Connections are kept alive and pooled (undici); the runs' steps started,
 * checkpoints and heartbeats go through one batcher (`/ops`). Idempotent calls (everything but a
 * lease) are retried once when a pooled connection turns out to be stale.
 */
export function createHttpRuntimeApi(opts: { baseUrl: string; token: string; fetch?: typeof fetch }): RuntimeApi {
  const doFetch = opts.fetch ?? fetch
  const base = opts.baseUrl.replace(/\/$/, '')
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal, extra: { idempotent?: boolean; waitMs?: number; rawBody?: string } = {}): Promise<T> {
    const attempt = async () => {
      const timeout = AbortSignal.timeout(CALL_TIMEOUT_MS + (extra.waitMs ?? 0))
      return doFetch(`${base}/api/runtime${path}`, {
        method,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        headers: { authorization: `Bearer ${opts.token}`, ...(body === undefined && extra.rawBody === undefined ? {} : { 'content-type': 'application/json' }) },
        body: extra.rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      })
    }
    let res: Response
    try {
      res = await attempt()
    } catch (err) {
      if (!extra.idempotent || !staleConnection(err) || signal?.aborted) throw err
      res = await attempt()
    }
    const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; details?: { code?: string } } }
    if (!res.ok) {
      if (res.status === 409 && json.error?.details?.code === 'LEASE_LOST') throw new LeaseLostError()
      throw new RuntimeApiError(res.status, json.error?.code ?? 'UNKNOWN', json.error?.message ?? `HTTP ${res.status}`, json.error?.details?.code)
    }
    return json as T
  }
  const idempotent = { idempotent: true }
  const batcher = createRunOpsBatcher(async (ops) => (await call<{ results: RunOpResult[] }>('POST', '/ops', undefined, undefined, { idempotent: true, rawBody: `{"ops":[${ops.join(',')}]}` })).results)
  const op = async (input: RunOp): Promise<RunOpResult & { ok: true }> => {
    const result = await batcher.submit(input)
    if (result.ok) return result
    if (result.code === 'LEASE_LOST') throw new LeaseLostError()
    throw new RuntimeApiError(404, result.code, result.message)
  }
  return {
    lease: async (input, signal) => (await call<{ jobs: LeasedJob[] }>('POST', '/lease', input, signal, { waitMs: input.waitMs })).jobs,
    stepStarted: async (id, input) => void (await op({ op: 'started', executionId: id, ...input })),
    checkpoint: async (id, input) => void (await op({ op: 'checkpoint', executionId: id, ...input } as RunOp)),
    heartbeat: async (id, input) => ({ cancelRequested: (await op({ op: 'heartbeat', executionId: id, ...input })).cancelRequested === true }),
    release: async (id, input) => void (await call('POST', `/executions/${encodeURIComponent(id)}/release`, input, undefined, idempotent)),
    fail: async (id, input) => void (await call('POST', `/executions/${encodeURIComponent(id)}/fail`, input, undefined, idempotent)),
    gateway: async (id) => (await call<{ gateway: Awaited<ReturnType<RuntimeApi['gateway']>> }>('GET', `/gateways/${encodeURIComponent(id)}`, undefined, undefined, idempotent)).gateway,
    plugin: async (slug) => (await call<{ plugin: RuntimePlugin }>('GET', `/plugins/${encodeURIComponent(slug)}`, undefined, undefined, idempotent)).plugin,
    // Storage writes are not idempotent in general (a counter): no retry.
    pluginStorage: (slug, op) => call('POST', `/plugins/${encodeURIComponent(slug)}/storage`, op),
    reportUsage: (report) => call('POST', '/usage', report, undefined, idempotent),
  }
}
