import { type LeasedJob, validateWorkflow, WORKFLOW_LIMITS } from '@2bot/contracts'
import { CheckpointFailed, runWorkflow } from '../engine/engine'
import { abortableSleep } from '../engine/sleep'
import type { CheckpointEvent, EngineDeps, GatewayInvoker, PluginInvoker, RunState, StepRecord } from '../engine/types'
import { LeaseLostError, type RuntimeApi } from './runtime-api'
import type { RunTools } from './run-tools'

/** The abort reason when the runtime stops (drain, shutdown); it crosses into run threads as text. */
export const RUNTIME_STOPPING = 'runtime stopping'

/** The part of the platform API a run itself calls (leases and heartbeats stay with the job loop). */
export type RunApi = Pick<RuntimeApi, 'stepStarted' | 'checkpoint' | 'release'>

export interface RunContext extends RunTools {
  api: RunApi
  owner: string
  gateways: GatewayInvoker
  plugins?: PluginInvoker
  /** Aborted on cancel, a lost lease or shutdown. */
  signal: AbortSignal
  /** True when the abort is the runtime stopping: the job goes back to the queue rather than ending. */
  stopping(): boolean
  log(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void
}

/**
 * Checkpoints of steps without side effects are held back and sent with the next one that matters
 * (a side-effecting step's, the run's end, or before a side effect starts): a crash then re-runs
 * those steps, which changes nothing outside, and a run of pure steps costs one round trip instead
 * of one per step. A side-effecting step's checkpoint is sent at once, and lands before anything
 * else reaches outside or the run ends.
 */
const MAX_HELD = 100
/**
 * Held records travel beside the state that also holds them. Sending once they reach half the
 * run's data keeps a checkpoint at most the state (8 MB), this (4 MB), the record that crossed it
 * and the last output (1 MB each): under the API's 17 MB for the runtime, whatever the run holds.
 */
const MAX_HELD_BYTES = WORKFLOW_LIMITS.maxRunDataBytes / 2

export function checkpointBuffer(send: (records: { key: string; record: StepRecord }[], state: RunState) => Promise<void>, maxHeldBytes = MAX_HELD_BYTES) {
  let held: { key: string; record: StepRecord }[] = []
  let heldBytes = 0
  let latest: RunState | undefined
  // Checkpoints go out in order, one after the other; `sent` settles when the last one landed.
  let sent: Promise<void> = Promise.resolve()
  const sendHeld = () => {
    if (!latest || held.length === 0) return sent
    const records = held
    const state = latest
    held = []
    heldBytes = 0
    sent = sent.then(() => send(records, state))
    // Its failure surfaces at the next flush, add or the run's end, not as an unhandled rejection.
    sent.catch(() => {})
    return sent
  }
  const flush = () => sendHeld()
  return {
    async add(event: CheckpointEvent) {
      held.push({ key: event.key, record: event.record })
      heldBytes += event.bytes ?? 0
      latest = event.state
      if (event.state.status !== 'running' || held.length >= MAX_HELD || heldBytes >= maxHeldBytes) return flush()
      // A side-effecting step's checkpoint leaves at once, but the run goes on with its next step
      // meanwhile: whatever that step does next to reach outside (stepStarted) or the run's end
      // waits for it to land (flush), so nothing outside happens before the platform has it.
      if (event.sideEffects) void sendHeld()
    },
    flush,
  }
}

/**
 * One leased job through the engine, with checkpoints to the API after every step. Runs on the
 * main thread or inside a run's own worker thread (run-worker.ts); either way it never throws.
 */
export async function executeJob(job: LeasedJob, ctx: RunContext): Promise<void> {
  const lease = { jobId: job.jobId, owner: ctx.owner }
  const executionId = job.execution.id
  const parsed = validateWorkflow(job.definition)
  try {
    if (!parsed.ok) {
      const state: RunState = { status: 'failed', steps: {}, cursor: null, startedAt: Date.now(), finishedAt: Date.now(), error: { message: 'The stored workflow is no longer valid', kind: 'SYSTEM' } }
      await ctx.api.checkpoint(executionId, { ...lease, state })
      return
    }
    // A checkpoint the platform refuses, sent from the engine or from a flush before a side effect, carries its state.
    const checkpoints = checkpointBuffer((records, state) =>
      ctx.api.checkpoint(executionId, { ...lease, records, state }).catch((err: unknown) => {
        throw new CheckpointFailed(err, state)
      }),
    )
    const deps: EngineDeps = {
      limits: ctx.limits,
      gateways: ctx.gateways,
      plugins: ctx.plugins,
      http: ctx.http,
      code: ctx.code,
      now: Date.now,
      sleep: abortableSleep,
      random: Math.random,
      checkpoint: (event) => checkpoints.add(event),
      stepStarted: async ({ key, attempt, startedAt }) => {
        // Held-back checkpoints land before anything reaches outside: the step goes on only once
        // both they and its start are recorded. Asked together, they travel in one request (one
        // transaction) instead of one round trip after the other.
        await Promise.all([checkpoints.flush(), ctx.api.stepStarted(executionId, { ...lease, key, attempt, startedAt })])
      },
    }
    const before = job.execution.state as RunState | null
    const state = await runWorkflow(
      { executionId, definition: parsed.definition, trigger: job.execution.triggerData, state: before ?? undefined, mode: job.execution.mode, signal: ctx.signal },
      ctx.executors,
      deps,
    )
    if (state.status === 'cancelled' && ctx.stopping()) {
      // Stopped by shutdown, not by the user: the job goes back to the queue and resumes elsewhere.
      await ctx.api.release(executionId, { ...lease, reason: RUNTIME_STOPPING })
    } else if (state.status === 'cancelled' || (state.status === 'failed' && state.error?.code === 'RUN_TIMEOUT')) {
      // A run that ended without a final step checkpoint still reports its end.
      await checkpoints.flush()
      await ctx.api.checkpoint(executionId, { ...lease, state })
    }
  } catch (err) {
    if (err instanceof LeaseLostError || (err as { cause?: unknown }).cause instanceof LeaseLostError) {
      ctx.log('warn', 'lease lost; another attempt owns the run', { executionId })
    } else if (ctx.stopping()) {
      await ctx.api.release(executionId, { ...lease, reason: RUNTIME_STOPPING }).catch(() => {})
    } else if (refusal(err)) {
      await failRefused(executionId, lease, ctx, refusal(err)!)
    } else {
      // The checkpoint did not land (API unreachable): leave the job to the reaper, which hands it
      // to the next attempt to resume from the last checkpoint that did.
      ctx.log('error', 'run interrupted', { executionId, error: (err as Error).message })
    }
  }
}

/** The platform answered that the checkpoint itself is wrong (too large, malformed): resending it cannot help. */
function refusal(err: unknown): { state?: RunState; reason: string } | undefined {
  let state: RunState | undefined
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof CheckpointFailed) state ??= e.state
    const status = (e as { status?: unknown }).status
    if (status === 400 || status === 413) return { state, reason: `HTTP ${status}: ${e.message.slice(0, 300)}` }
  }
  return undefined
}

/**
 * Ends a run whose checkpoint the platform refused, once, saying so, instead of leaving it to be
 * resumed into the same refusal until the reaper sets it aside as a runtime that stopped answering.
 * The state goes without its outputs (what may have been too large); records and errors stay.
 * The engine bounds every checkpoint below the limit, so this is ours to fix: SYSTEM.
 */
async function failRefused(executionId: string, lease: { jobId: string; owner: string }, ctx: RunContext, refused: { state?: RunState; reason: string }): Promise<void> {
  ctx.log('error', 'checkpoint refused; the run is failed', { executionId, error: refused.reason })
  const last = refused.state ?? { steps: {}, startedAt: Date.now() }
  const steps = Object.fromEntries(Object.entries(last.steps).map(([key, { output: _output, ...record }]) => [key, record]))
  const state: RunState = {
    status: 'failed',
    steps,
    cursor: null,
    startedAt: last.startedAt,
    finishedAt: Date.now(),
    error: { message: `The platform refused the run's checkpoint (${refused.reason}); the run stops here`, kind: 'SYSTEM', code: 'CHECKPOINT_REFUSED' },
  }
  await ctx.api.checkpoint(executionId, { ...lease, state }).catch((e: Error) => ctx.log('error', 'could not fail the run', { executionId, error: e.message }))
}
