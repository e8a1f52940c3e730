import { Worker } from 'node:worker_threads'
import { StepFailure, type GatewayInvoker } from '../engine/types'
import type { RuntimeApi } from './runtime-api'
import type { ToolsConfig } from './run-tools'
import { threadResourceLimits } from './thread-pool'
import { createKeyedThreads } from './keyed-threads'
import { connectRpc } from './thread-rpc'

export interface GatewayHostOptions {
  config: ToolsConfig
  /** Where a gateway's thread asks for its credentials. */
  api: Pick<RuntimeApi, 'gateway'>
  /** Heap of each gateway's thread (the roadmap's per-gateway sub-limit: 128 MB). */
  memoryMb: number
  /** A gateway's thread with no call for this long ends (it starts again on the next call). */
  idleMs?: number
  /** After a crash, the gateway's next thread starts no sooner than this (a crash loop backs off). */
  restartDelayMs?: number
  /**
   * Gateway threads alive at most (the roadmap's five connected gateways per workspace): a new one
   * retires the least recently used idle thread, or waits for one to fall idle.
   */
  maxThreads?: number
  log?(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void
}

/** In the bundle the worker is `gateway-worker.mjs` beside it; from source (tsx, tests) a bootstrap that loads the .ts. */
function workerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './gateway-worker.dev.mjs' : './gateway-worker.mjs', import.meta.url)
}

/**
 * Gateways isolated from each other and from runs (the bulkhead): each gateway a workspace uses
 * gets a worker thread of its own with its own heap limit, started on its first call. If it dies
 * (out of memory, a crash), the calls in flight fail with a retryable error, so steps retry by their
 * policy, and the next call starts it again; other gateways never notice.
 */
export function createGatewayHost(opts: GatewayHostOptions) {
  const runsOf = new Map<string, Set<string>>()
  const threads = createKeyedThreads({
    maxThreads: opts.maxThreads ?? 5,
    idleMs: opts.idleMs ?? 5 * 60_000,
    restartDelayMs: opts.restartDelayMs ?? 1000,
    spawn: (gatewayId) => {
      const worker = new Worker(workerUrl(), {
        workerData: { config: opts.config, gatewayId },
        resourceLimits: threadResourceLimits(opts.memoryMb),
      })
      // The thread may ask for its own gateway's credentials, and nothing else.
      const rpc = connectRpc(worker, {
        'api.gateway': ([id]) => {
          if (id !== gatewayId) throw new StepFailure('A gateway thread may load only its own gateway', 'SYSTEM', { retryable: false })
          return opts.api.gateway(gatewayId)
        },
      })
      return { worker, rpc }
    },
    label: 'Gateway',
    memoryMb: opts.memoryMb,
    codes: { outOfMemory: 'GATEWAY_MEMORY_LIMIT', crashed: 'GATEWAY_CRASHED' },
    log: opts.log,
  })

  return {
    /** The gateway invoker of one run: its calls go to the gateways' threads. */
    forRun(executionId: string): GatewayInvoker {
      return {
        async invoke({ signal, ...call }) {
          const thread = await threads.claim(call.gatewayId, signal)
          let used = runsOf.get(executionId)
          if (!used) runsOf.set(executionId, (used = new Set()))
          used.add(call.gatewayId)
          try {
            return await thread.rpc.call('invoke', [executionId, call], signal)
          } finally {
            threads.release(call.gatewayId, thread)
          }
        },
      }
    },
    /** The run is over: its clients (and the credentials they hold) are dropped in every gateway it used. */
    endRun(executionId: string): void {
      for (const gatewayId of runsOf.get(executionId) ?? []) void threads.get(gatewayId)?.rpc.call('endRun', [executionId]).catch(() => {})
      runsOf.delete(executionId)
    },
    threads: threads.threads,
    /** Gateway threads that died since start (health, tests). */
    crashes: threads.crashes,
    close: threads.close,
  }
}

export type GatewayHost = ReturnType<typeof createGatewayHost>
