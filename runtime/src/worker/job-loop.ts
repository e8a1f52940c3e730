import type { LeasedJob } from '@2bot/contracts'
import { truncateMessage } from '../engine/run-data'
import { abortableSleep } from '../engine/sleep'
import { createGatewayClientCache } from './gateway-client-cache'
import { createGatewayCircuits, createGatewayInvoker, type GatewayFactories } from './gateway-invoker'
import type { GatewayHost } from './gateway-host'
import type { PluginHost } from './plugin-host'
import { executeJob, RUNTIME_STOPPING } from './run-job'
import { RunThreadDied, type RunPool } from './run-pool'
import type { RunTools } from './run-tools'
import { LeaseLostError, type RuntimeApi } from './runtime-api'

/**
 * Bulkheads: each run in a thread of its own and each gateway in a thread of its own, with their
 * own memory limits.
 */
export interface Isolation {
  runs: RunPool
  runMemoryMb: number
  gateways: GatewayHost
}

/** Where runs execute: on this thread with these tools and gateway clients, or in threads (`isolation`). */
type RunPlacement = { isolation?: undefined; tools: RunTools; gateways: GatewayFactories } | { isolation: Isolation; tools?: undefined; gateways?: undefined }

export type JobLoopOptions = RunPlacement & {
  api: RuntimeApi
  /** Names this runtime in leases, so a lease taken over by another attempt is noticed. */
  owner: string
  concurrency?: number
  /** How long one lease call may wait for work (long poll). */
  pollMs?: number
  leaseSeconds?: number
  /** Plugins run in threads of their own in either placement; without a host, plugin steps fail as unavailable. */
  plugins?: PluginHost
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void
}

export interface JobLoop {
  /** Stops polling, cancels runs in flight and gives their jobs back to the queue. */
  stop(): Promise<void>
  /**
   * Stops taking work and lets runs in flight finish for up to `timeoutMs`, then stops (a hot swap
   * or sleep: the successor takes over the queue without interrupting a step).
   */
  drain(timeoutMs: number): Promise<void>
  /** True once drain or stop began. */
  draining(): boolean
  /** Runs in flight right now. */
  active(): number
  /** Resolves when no run is in flight (tests). */
  idle(): Promise<void>
}

/** Waits `ms`, or less if `signal` aborts; never rejects. */
const pause = (ms: number, signal: AbortSignal) => abortableSleep(ms, signal).catch(() => {})

/**
 * The workspace runtime's main loop: lease jobs, run each through the engine with checkpoints to
 * the API after every step, heartbeat while running, stop a run when its cancel arrives.
 */
export function startJobLoop(opts: JobLoopOptions): JobLoop {
  const concurrency = opts.concurrency ?? 10
  const leaseSeconds = opts.leaseSeconds ?? 30
  const log = opts.log ?? (() => {})
  const stopping = new AbortController()
  // Aborted first on drain: no new leases, runs in flight continue.
  const leasing = new AbortController()
  stopping.signal.addEventListener('abort', () => leasing.abort(), { once: true })
  const circuits = createGatewayCircuits()
  const gatewayClients = opts.gateways ? createGatewayClientCache(opts.api, opts.gateways) : undefined
  const running = new Map<string, { controller: AbortController; done: Promise<void>; jobId: string }>()
  let idleWaiters: (() => void)[] = []

  async function runJob(job: LeasedJob, controller: AbortController): Promise<void> {
    const lease = { jobId: job.jobId, owner: opts.owner }
    const executionId = job.execution.id
    const beat = setInterval(async () => {
      try {
        const { cancelRequested } = await opts.api.heartbeat(executionId, { ...lease, leaseSeconds })
        if (cancelRequested) controller.abort(new Error('cancelled'))
      } catch (err) {
        if (err instanceof LeaseLostError) controller.abort(err)
      }
    }, (leaseSeconds * 1000) / 3)
    if (job.execution.cancelRequested) controller.abort(new Error('cancelled'))
    try {
      if (!opts.isolation) {
        const stamps = job.gatewayStamps ?? {}
        const gateways = createGatewayInvoker(opts.api, opts.gateways, circuits, (id) => gatewayClients!.clientFor(id, stamps[id]))
        const plugins = opts.plugins?.forRun(gateways)
        await executeJob(job, { ...opts.tools, api: opts.api, owner: opts.owner, gateways, plugins, signal: controller.signal, stopping: () => stopping.signal.aborted, log })
        return
      }
      const gateways = opts.isolation.gateways.forRun(executionId)
      await opts.isolation.runs.run(job, { api: opts.api, gateways, plugins: opts.plugins?.forRun(gateways), owner: opts.owner, log }, controller.signal)
    } catch (err) {
      if (!(err instanceof RunThreadDied)) {
        // Left to the reaper, which hands the job to the next attempt after its lease.
        log('error', 'run interrupted', { executionId, error: (err as Error).message })
        return
      }
      // Its thread died: retrying would hit the same wall, so the run ends failed and says why.
      const message = err.outOfMemory
        ? `The run used more than its ${opts.isolation?.runMemoryMb} MB of memory and was stopped; other runs were not affected`
        : `The run's worker stopped unexpectedly (${truncateMessage(err.message, 400)})`
      log('warn', 'run thread died', { executionId, outOfMemory: err.outOfMemory })
      await opts.api.fail(executionId, { ...lease, message, code: err.outOfMemory ? 'RUN_MEMORY_LIMIT' : 'RUN_WORKER_CRASHED' }).catch((e: Error) => {
        // Not recorded: the reaper hands the job on after its lease, as after a crash.
        log('error', 'could not record the failed run', { executionId, error: e.message })
      })
    } finally {
      clearInterval(beat)
      opts.isolation?.gateways.endRun(executionId)
    }
  }

  const loop = (async () => {
    while (!leasing.signal.aborted) {
      const room = concurrency - running.size
      if (room <= 0) {
        await Promise.race([...running.values()].map((r) => r.done))
        continue
      }
      let leased: Awaited<ReturnType<RuntimeApi['lease']>> = []
      try {
        // Long poll: the platform answers as soon as work arrives, or after waitMs with none.
        leased = await opts.api.lease({ owner: opts.owner, max: room, leaseSeconds, waitMs: opts.pollMs ?? 20_000 }, leasing.signal)
      } catch (err) {
        if (leasing.signal.aborted) break
        log('warn', 'lease failed', { error: (err as Error).message })
        await pause(1000, leasing.signal)
      }
      for (const job of leased) {
        const controller = new AbortController()
        const done = runJob(job, controller).finally(() => {
          running.delete(job.execution.id)
          if (running.size === 0) {
            idleWaiters.forEach((w) => w())
            idleWaiters = []
          }
        })
        running.set(job.execution.id, { controller, done, jobId: job.jobId })
      }
    }
  })()

  async function stop(): Promise<void> {
    stopping.abort()
    for (const run of running.values()) run.controller.abort(new Error(RUNTIME_STOPPING))
    await loop
    await Promise.allSettled([...running.values()].map((r) => r.done))
  }

  return {
    stop,
    async drain(timeoutMs) {
      leasing.abort()
      const settled = (async () => {
        await loop
        await Promise.allSettled([...running.values()].map((r) => r.done))
      })()
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))])
      clearTimeout(timer)
      await stop()
    },
    draining: () => leasing.signal.aborted,
    active: () => running.size,
    idle: () => (running.size === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
  }
}
