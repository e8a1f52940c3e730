import { validateWorkflow } from '@2bot/edge-api/contracts'
import { runWorkflow } from '../engine/engine'
import { abortableSleep } from '../engine/sleep'
import type { CheckpointEvent, CodeRunner, EngineDeps, ExecutorRegistry, HttpClient, RunState, StepRecord } from '../engine/types'
import { createGatewayCircuits, createGatewayInvoker, type GatewayFactories } from './gateway-invoker'
import { LeaseLostError, type RuntimeApi } from './runtime-api'

export interface JobLoopOptions {
  api: RuntimeApi
  /** Names this runtime in leases, so a lease taken over by another attempt is noticed. */
  owner: string
  executors: ExecutorRegistry
  gateways: GatewayFactories
  http: HttpClient
  code: CodeRunner
  concurrency?: number
  /** How long one lease call may wait for work (long poll). */
  pollMs?: number
  leaseSeconds?: number
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

/**
 * Checkpoints of steps without side effects are held back and sent with the next one that matters
 * (a side-effecting step's, the run's end, or before a side effect starts): a crash then re-runs
 * those steps, which changes nothing outside, and a run of pure steps costs one round trip instead
 * of one per step. Side-effecting steps are checkpointed at once, before the next step starts.
 */
const MAX_HELD = 100

export function checkpointBuffer(send: (records: { key: string; record: StepRecord }[], state: RunState) => Promise<void>) {
  let held: { key: string; record: StepRecord }[] = []
  let latest: RunState | undefined
  const flush = async () => {
    if (!latest || held.length === 0) return
    const records = held
    held = []
    await send(records, latest)
  }
  return {
    async add(event: CheckpointEvent) {
      held.push({ key: event.key, record: event.record })
      latest = event.state
      // Bounded: a long loop of pure steps still checkpoints every MAX_HELD steps.
      if (event.sideEffects || event.state.status !== 'running' || held.length >= MAX_HELD) await flush()
    },
    flush,
  }
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
  const running = new Map<string, { controller: AbortController; done: Promise<void>; jobId: string }>()
  let idleWaiters: (() => void)[] = []

  async function runJob(job: Awaited<ReturnType<RuntimeApi['lease']>>[number], controller: AbortController): Promise<void> {
    const lease = { jobId: job.jobId, owner: opts.owner }
    const executionId = job.execution.id
    const parsed = validateWorkflow(job.definition)
    const beat = setInterval(async () => {
      try {
        const { cancelRequested } = await opts.api.heartbeat(executionId, { ...lease, leaseSeconds })
        if (cancelRequested) controller.abort(new Error('cancelled'))
      } catch (err) {
        if (err instanceof LeaseLostError) controller.abort(err)
      }
    }, (leaseSeconds * 1000) / 3)
    try {
      if (!parsed.ok) {
        const state: RunState = { status: 'failed', steps: {}, cursor: null, startedAt: Date.now(), finishedAt: Date.now(), error: { message: 'The stored workflow is no longer valid', kind: 'SYSTEM' } }
        await opts.api.checkpoint(executionId, { ...lease, state })
        return
      }
      if (job.execution.cancelRequested) controller.abort(new Error('cancelled'))
      const checkpoints = checkpointBuffer((records, state) => opts.api.checkpoint(executionId, { ...lease, records, state }))
      const deps: EngineDeps = {
        gateways: createGatewayInvoker(opts.api, opts.gateways, circuits),
        http: opts.http,
        code: opts.code,
        now: Date.now,
        sleep: abortableSleep,
        random: Math.random,
        checkpoint: (event) => checkpoints.add(event),
        stepStarted: async ({ key, attempt, startedAt }) => {
          // Held-back checkpoints land before anything reaches outside.
          await checkpoints.flush()
          await opts.api.stepStarted(executionId, { ...lease, key, attempt, startedAt })
        },
      }
      const before = job.execution.state as RunState | null
      const state = await runWorkflow(
        { executionId, definition: parsed.definition, trigger: job.execution.triggerData, state: before ?? undefined, mode: job.execution.mode, signal: controller.signal },
        opts.executors,
        deps,
      )
      if (state.status === 'cancelled' && stopping.signal.aborted) {
        // Stopped by shutdown, not by the user: the job goes back to the queue and resumes elsewhere.
        await opts.api.release(executionId, { ...lease, reason: 'runtime stopping' })
      } else if (state.status === 'cancelled' || (state.status === 'failed' && state.error?.code === 'RUN_TIMEOUT')) {
        // A run that ended without a final step checkpoint still reports its end.
        await checkpoints.flush()
        await opts.api.checkpoint(executionId, { ...lease, state })
      }
    } catch (err) {
      if (err instanceof LeaseLostError || (err as { cause?: unknown }).cause instanceof LeaseLostError) {
        log('warn', 'lease lost; another attempt owns the run', { executionId })
      } else if (stopping.signal.aborted) {
        await opts.api.release(executionId, { ...lease, reason: 'runtime stopping' }).catch(() => {})
      } else {
        // The checkpoint did not land (API unreachable): leave the job to the reaper, which hands it
        // to the next attempt to resume from the last checkpoint that did.
        log('error', 'run interrupted', { executionId, error: (err as Error).message })
      }
    } finally {
      clearInterval(beat)
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
    for (const run of running.values()) run.controller.abort(new Error('runtime stopping'))
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
