import { Worker } from 'node:worker_threads'
import { abortableSleep } from '../engine/sleep'
import { StepFailure, type GatewayInvoker } from '../engine/types'
import type { RuntimeApi } from './runtime-api'
import type { ToolsConfig } from './run-tools'
import { threadResourceLimits } from './thread-pool'
import { connectRpc, type Rpc } from './thread-rpc'

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

interface GatewayThread {
  worker: Worker
  rpc: Rpc
  calls: number
  lastUsed: number
  idleTimer?: ReturnType<typeof setTimeout>
  /** Ended on purpose (idle, shutdown): its exit is not a crash. */
  retiring?: boolean
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
  const threads = new Map<string, GatewayThread>()
  const crashedAt = new Map<string, number>()
  let crashes = 0
  const runsOf = new Map<string, Set<string>>()
  const restartDelayMs = opts.restartDelayMs ?? 1000
  const idleMs = opts.idleMs ?? 5 * 60_000
  const maxThreads = opts.maxThreads ?? 5
  let roomWaiters: (() => void)[] = []
  /** Something may have made room (a call ended, a thread went): every waiter looks again. */
  const roomChanged = () => {
    const waiters = roomWaiters
    roomWaiters = []
    waiters.forEach((wake) => wake())
  }

  function spawn(gatewayId: string): GatewayThread {
    const worker = new Worker(workerUrl(), {
      workerData: { config: opts.config, gatewayId },
      resourceLimits: threadResourceLimits(opts.memoryMb),
    })
    worker.unref()
    // The thread may ask for its own gateway's credentials, and nothing else.
    const rpc = connectRpc(worker, {
      'api.gateway': ([id]) => {
        if (id !== gatewayId) throw new StepFailure('A gateway thread may load only its own gateway', 'SYSTEM', { retryable: false })
        return opts.api.gateway(gatewayId)
      },
    })
    const thread: GatewayThread = { worker, rpc, calls: 0, lastUsed: Date.now() }
    let ended = false
    const died = (outOfMemory: boolean, detail: string) => {
      if (ended) return
      ended = true
      clearTimeout(thread.idleTimer)
      if (threads.get(gatewayId) === thread) threads.delete(gatewayId)
      roomChanged()
      if (thread.retiring) return
      crashedAt.set(gatewayId, Date.now())
      crashes++
      const message = outOfMemory
        ? `Gateway "${gatewayId}" used more than its ${opts.memoryMb} MB of memory and was stopped; it starts again on the next call`
        : `Gateway "${gatewayId}" stopped unexpectedly (${detail}); it starts again on the next call`
      opts.log?.('warn', 'gateway thread died', { gatewayId, outOfMemory, detail })
      rpc.failPending(new StepFailure(message, 'SYSTEM', { retryable: true, code: outOfMemory ? 'GATEWAY_MEMORY_LIMIT' : 'GATEWAY_CRASHED' }))
    }
    worker.once('error', (err: Error & { code?: string }) => died(err.code === 'ERR_WORKER_OUT_OF_MEMORY', err.message))
    worker.once('exit', (code) => died(false, `exit code ${code}`))
    threads.set(gatewayId, thread)
    return thread
  }

  /** Ends a thread on purpose (idle, or making room): its exit is not a crash. */
  function retire(gatewayId: string, thread: GatewayThread): void {
    thread.retiring = true
    clearTimeout(thread.idleTimer)
    if (threads.get(gatewayId) === thread) threads.delete(gatewayId)
    void thread.worker.terminate()
    roomChanged()
  }

  /** At the cap: retires the least recently used idle thread, or waits until a call ends or a thread goes. */
  async function makeRoom(signal: AbortSignal): Promise<void> {
    const idle = [...threads].filter(([, t]) => t.calls === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0]
    if (idle) return retire(idle[0], idle[1])
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      roomWaiters.push(() => (signal.removeEventListener('abort', onAbort), resolve()))
    })
  }

  /**
   * The gateway's thread with this call counted on it. Counted in the same turn it is found or
   * started, so no other call can take it for idle and retire it in between.
   */
  async function claimThread(gatewayId: string, signal: AbortSignal): Promise<GatewayThread> {
    const claim = (thread: GatewayThread) => {
      thread.calls++
      thread.lastUsed = Date.now()
      clearTimeout(thread.idleTimer)
      // A thread with calls in flight keeps the process alive (its death must still be heard).
      thread.worker.ref()
      return thread
    }
    const existing = threads.get(gatewayId)
    if (existing) return claim(existing)
    const wait = (crashedAt.get(gatewayId) ?? 0) + restartDelayMs - Date.now()
    if (wait > 0) await abortableSleep(wait, signal)
    // Each check and its spawn happen in one turn, so racing calls cannot pass the cap together.
    for (;;) {
      const started = threads.get(gatewayId)
      if (started) return claim(started)
      if (threads.size < maxThreads) return claim(spawn(gatewayId))
      await makeRoom(signal)
    }
  }

  function armIdle(gatewayId: string, thread: GatewayThread): void {
    clearTimeout(thread.idleTimer)
    if (thread.calls > 0) return
    thread.worker.unref()
    thread.idleTimer = setTimeout(() => retire(gatewayId, thread), idleMs)
    thread.idleTimer.unref()
  }

  return {
    /** The gateway invoker of one run: its calls go to the gateways' threads. */
    forRun(executionId: string): GatewayInvoker {
      return {
        async invoke({ signal, ...call }) {
          const thread = await claimThread(call.gatewayId, signal)
          let used = runsOf.get(executionId)
          if (!used) runsOf.set(executionId, (used = new Set()))
          used.add(call.gatewayId)
          try {
            return await thread.rpc.call('invoke', [executionId, call], signal)
          } finally {
            thread.calls--
            armIdle(call.gatewayId, thread)
            if (thread.calls === 0) roomChanged()
          }
        },
      }
    },
    /** The run is over: its clients (and the credentials they hold) are dropped in every gateway it used. */
    endRun(executionId: string): void {
      for (const gatewayId of runsOf.get(executionId) ?? []) void threads.get(gatewayId)?.rpc.call('endRun', [executionId]).catch(() => {})
      runsOf.delete(executionId)
    },
    threads: () => threads.size,
    /** Gateway threads that died since start (health, tests). */
    crashes: () => crashes,
    async close(): Promise<void> {
      const all = [...threads.values()]
      threads.clear()
      await Promise.all(all.map((t) => ((t.retiring = true), clearTimeout(t.idleTimer), t.worker.terminate())))
    },
  }
}

export type GatewayHost = ReturnType<typeof createGatewayHost>
