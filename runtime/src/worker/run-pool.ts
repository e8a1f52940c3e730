import type { Worker } from 'node:worker_threads'
import type { LeasedJob } from '@2bot/contracts'
import { StepFailure, type GatewayInvoker, type PluginInvoker } from '../engine/types'
import type { RunApi } from './run-job'
import type { ToolsConfig } from './run-tools'
import { createThreadPool, type PooledThread } from './thread-pool'
import { connectRpc, type Rpc } from './thread-rpc'

/** The run's thread died under it: out of its memory, or a crash in the engine. */
export class RunThreadDied extends Error {
  constructor(
    readonly outOfMemory: boolean,
    message: string,
  ) {
    super(message)
    this.name = 'RunThreadDied'
  }
}

export interface RunPoolOptions {
  /** Built again inside each thread; code steps run inline there (the thread is their bulkhead). */
  config: ToolsConfig
  /** Heap of each run's thread (the roadmap's per-service sub-limit: 256 MB). */
  memoryMb: number
  maxThreads: number
  idleMs?: number
}

/** What the main thread does for a run in a thread: the platform API, gateway and plugin calls. */
export interface RunHost {
  api: RunApi
  gateways: GatewayInvoker
  plugins?: PluginInvoker
  owner: string
  log(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void
}

/** In the bundle the worker is `run-worker.mjs` beside it; from source (tsx, tests) a bootstrap that loads the .ts. */
function workerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './run-worker.dev.mjs' : './run-worker.mjs', import.meta.url)
}

/**
 * Service runs isolated from each other (the bulkhead): each run executes in a worker thread of its
 * own with its own heap limit, one run per thread at a time. A run that exhausts its memory ends
 * only its thread — `run` rejects with RunThreadDied and the next run gets a fresh thread — while
 * other runs and the gateways carry on.
 */
export function createRunPool(opts: RunPoolOptions) {
  const pool = createThreadPool({
    url: workerUrl(),
    workerData: { config: { ...opts.config, codeIsolation: 'inline' } satisfies ToolsConfig },
    heapMb: opts.memoryMb,
    maxThreads: opts.maxThreads,
    idleMs: opts.idleMs ?? 30_000,
  })
  // One connection per thread for its life; its calls serve whichever run the thread has now.
  const connections = new WeakMap<Worker, { rpc: Rpc; host?: RunHost }>()

  function connect(thread: PooledThread) {
    let connection = connections.get(thread.worker)
    if (connection) return connection
    const current = (): RunHost => {
      if (!connection?.host) throw new Error('This thread has no run')
      return connection.host
    }
    const rpc = connectRpc(thread.worker, {
      'api.stepStarted': ([id, input]) => current().api.stepStarted(id as string, input as never),
      'api.checkpoint': ([id, input]) => current().api.checkpoint(id as string, input as never),
      'api.release': ([id, input]) => current().api.release(id as string, input as never),
      'gateway.invoke': ([call], signal) => current().gateways.invoke({ ...(call as Omit<Parameters<GatewayInvoker['invoke']>[0], 'signal'>), signal }),
      'plugin.invoke': ([call], signal) => {
        const plugins = current().plugins
        if (!plugins) throw new StepFailure('This runtime has no plugin host', 'USER', { retryable: false, code: 'PLUGIN_UNAVAILABLE' })
        return plugins.invoke({ ...(call as Omit<Parameters<PluginInvoker['invoke']>[0], 'signal'>), signal })
      },
      log: ([level, msg, fields]) => current().log(level as 'info', msg as string, fields as Record<string, unknown>),
    })
    void thread.died.then(({ outOfMemory, message }) => rpc.failPending(new RunThreadDied(outOfMemory, message)))
    connection = { rpc }
    connections.set(thread.worker, connection)
    return connection
  }

  return {
    /** Runs the job in a thread; resolves when the run is over, rejects with RunThreadDied if its thread died. */
    async run(job: LeasedJob, host: RunHost, signal: AbortSignal): Promise<void> {
      const thread = await pool.acquire()
      const connection = connect(thread)
      connection.host = host
      // A thread whose run did not end cleanly (it died, or the call failed) is not reused.
      let healthy = false
      try {
        await Promise.race([
          connection.rpc.call('run', [job, host.owner], signal),
          thread.died.then(({ outOfMemory, message }) => {
            throw new RunThreadDied(outOfMemory, message)
          }),
        ])
        healthy = true
      } finally {
        connection.host = undefined
        pool.release(thread, healthy)
      }
    },
    threads: pool.threads,
    close: pool.close,
  }
}

export type RunPool = ReturnType<typeof createRunPool>
