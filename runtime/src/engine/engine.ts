import { WORKFLOW_LIMITS, type WorkflowStep } from '@2bot/contracts'
import { Budget, EvaluationLimit, formatBytes, jsonSize, type TimeLimit } from '../expressions/budget'
import { evaluate, ExpressionError, type Scope } from '../expressions/evaluate'
import { render } from '../expressions/template'
import { backoffDelay } from './backoff'
import { nestedDeeper, recordBytes, truncateMessage, utf8Length } from './run-data'
import {
  StepFailure,
  type EngineDeps,
  type ExecutorRegistry,
  type Limits,
  type RunInput,
  type RunState,
  type StepContext,
  type StepExecutor,
  type StepRecord,
} from './types'

export const DEFAULT_LIMITS: Limits = {
  maxRunMs: WORKFLOW_LIMITS.maxRunMs,
  defaultStepTimeoutMs: WORKFLOW_LIMITS.defaultStepTimeoutMs,
  maxLoopIterations: WORKFLOW_LIMITS.maxLoopIterations,
  maxVariableBytes: WORKFLOW_LIMITS.maxVariableBytes,
  maxOutputDepth: WORKFLOW_LIMITS.maxOutputDepth,
  maxRunDataBytes: WORKFLOW_LIMITS.maxRunDataBytes,
}

const DEFAULT_RETRY = { maxAttempts: 3, backoffMs: 1000, maxBackoffMs: 30_000 }
const CONFIG_KEYS_NOT_RENDERED = new Set(['id', 'type', 'name', 'onError', 'retry', 'timeoutMs', 'position', 'steps'])

/** Why a run stopped early: the caller's cancel, or the run's own deadline. */
class RunAborted extends Error {
  constructor(readonly reason: 'cancelled' | 'timeout') {
    super(reason)
  }
}

/** The platform did not take a checkpoint: the run must stop here, never treat it as a step failure. */
export class CheckpointFailed extends Error {
  constructor(
    override readonly cause: unknown,
    /** The state the checkpoint carried. */
    readonly state?: RunState,
  ) {
    super(`Checkpoint failed: ${cause instanceof Error ? cause.message : String(cause)}`)
    this.name = 'CheckpointFailed'
  }
}

interface StepResult {
  record: StepRecord
  next?: string | null
  exhaustedRetries?: boolean
  /** The run's data is full: the run stops here even where the step says `onError: continue`. */
  fatal?: boolean
  /** What the record adds to the run's state (absent for a record the state already held). */
  bytes?: number
}

function toFailure(err: unknown, stepSignal: AbortSignal | undefined): StepFailure {
  if (err instanceof StepFailure) return err
  if (err instanceof ExpressionError) return new StepFailure(`${err.message} (in "${err.expression}")`, 'USER', { retryable: false, code: 'EXPRESSION' })
  // The same template fails the same way every time: the user's to fix, never retried.
  if (err instanceof EvaluationLimit) return new StepFailure(err.message, 'USER', { retryable: false, code: err.code })
  if (stepSignal?.aborted) return new StepFailure('The step took longer than its timeout', 'SYSTEM', { code: 'STEP_TIMEOUT', retryable: true })
  return new StepFailure(err instanceof Error ? err.message : String(err), 'SYSTEM')
}

/** Rejects as soon as `signal` aborts, so an executor that ignores its signal cannot hold the run. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The executor's own promise may reject too (with the same abort): observe it, or an abort that
    // lands while the step's start is being recorded becomes an unhandled rejection that ends the process.
    promise.catch(() => {})
    return Promise.reject(signal.reason)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}

/**
 * One run of a workflow definition. The loop is small on purpose: find the step at the cursor,
 * execute it through the registry (with retries and timeouts), record the result, checkpoint,
 * move the cursor. Completed steps in a resumed state are never executed again.
 */
class Run {
  private state: RunState
  private readonly limits: Limits
  private readonly byId: Map<string, WorkflowStep>
  private readonly order: string[]
  /** Aborts on the caller's cancel or the run's deadline, whichever comes first. */
  private readonly signal: AbortSignal
  private timedOut = false
  private readonly release: () => void
  /** Bytes the state's records hold (outputs as UTF-8 JSON, errors, bookkeeping), against limits.maxRunDataBytes. */
  private dataBytes = 0
  /** Where the run's CPU budget ends (inline runs); the clock is read between steps and inside evaluation. */
  private readonly cpuLimit?: TimeLimit

  constructor(
    private readonly input: RunInput,
    private readonly registry: ExecutorRegistry,
    private readonly deps: EngineDeps,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...deps.limits }
    const steps = input.definition.steps
    this.byId = new Map(steps.map((s) => [s.id, s]))
    this.order = steps.map((s) => s.id)
    this.state = input.state ?? { status: 'running', steps: {}, cursor: this.order[0] ?? null, startedAt: deps.now() }
    // A resumed run carries its earlier records.
    for (const [key, record] of Object.entries(this.state.steps)) this.dataBytes += recordBytes(key, utf8Length(JSON.stringify(record.output ?? null)), record)
    if (this.limits.maxRunCpuMs !== undefined) {
      const ms = this.limits.maxRunCpuMs
      this.cpuLimit = {
        deadline: deps.now() + ms,
        now: deps.now,
        message: `The workflow used more than ${ms} ms of CPU: a webhook answered inline may use ${ms} ms (fewer steps, or smaller lists, stay within it)`,
        code: 'RUN_CPU_LIMIT',
      }
    }
    // The run's deadline counts from its first start, across resumes. A plain timer and one
    // controller: AbortSignal.timeout/any cost ~10 µs a run, which short runs notice.
    const controller = new AbortController()
    this.signal = controller.signal
    const timer = setTimeout(() => {
      this.timedOut = true
      controller.abort(new DOMException('The run took too long', 'TimeoutError'))
    }, Math.max(0, this.limits.maxRunMs - (deps.now() - this.state.startedAt)))
    ;(timer as { unref?: () => void }).unref?.()
    const cancel = input.signal
    const onCancel = () => controller.abort(cancel?.reason)
    if (cancel?.aborted) onCancel()
    else cancel?.addEventListener('abort', onCancel, { once: true })
    this.release = () => {
      clearTimeout(timer)
      cancel?.removeEventListener('abort', onCancel)
    }
  }

  async run(): Promise<RunState> {
    try {
      return await this.runSteps()
    } finally {
      this.release()
    }
  }

  private async runSteps(): Promise<RunState> {
    try {
      while (this.state.status === 'running' && this.state.cursor !== null) {
        const step = this.byId.get(this.state.cursor)
        if (!step) throw new StepFailure(`No step "${this.state.cursor}"`, 'USER')
        const result = await this.runStep(step, step.id, {})
        const failed = result.record.status === 'failed' && (step.onError !== 'continue' || result.fatal === true)
        const following = this.order[this.order.indexOf(step.id) + 1] ?? null
        const stopHere = this.state.stopAfter === step.id
        const cursor = failed || stopHere ? null : result.next !== undefined ? result.next : following
        this.state = {
          ...this.state,
          steps: { ...this.state.steps, [step.id]: result.record },
          cursor,
          lastOutput: result.record.status === 'completed' ? result.record.output : this.state.lastOutput,
          ...(failed
            ? { status: 'failed', finishedAt: this.deps.now(), error: { ...result.record.error!, stepKey: step.id, exhaustedRetries: result.exhaustedRetries } }
            : cursor === null
              ? { status: 'completed', finishedAt: this.deps.now() }
              : {}),
        }
        await this.checkpoint(step.id, result.record, (this.registry[step.type] as StepExecutor).sideEffects, result.bytes)
      }
    } catch (err) {
      const aborted = err instanceof RunAborted ? err : this.signal.aborted ? new RunAborted(this.timedOut ? 'timeout' : 'cancelled') : undefined
      if (!aborted) throw err
      this.state =
        aborted.reason === 'cancelled'
          ? { ...this.state, status: 'cancelled', cursor: null, finishedAt: this.deps.now() }
          : {
              ...this.state,
              status: 'failed',
              cursor: null,
              finishedAt: this.deps.now(),
              error: { message: `The run took longer than ${Math.round(this.limits.maxRunMs / 1000)} s`, kind: 'USER', code: 'RUN_TIMEOUT' },
            }
    }
    return this.state
  }

  private async checkpoint(key: string, record: StepRecord, sideEffects: boolean, bytes = 0): Promise<void> {
    try {
      await this.deps.checkpoint({ key, record, state: this.state, sideEffects, bytes })
    } catch (err) {
      throw new CheckpointFailed(err, this.state)
    }
  }

  private scopeFor(extra: Scope, keyPrefix: string): Scope {
    const steps: Record<string, unknown> = {}
    for (const [key, record] of Object.entries(this.state.steps)) {
      const id = keyPrefix && key.startsWith(keyPrefix) ? key.slice(keyPrefix.length) : key
      if (!id.includes('[') && !id.includes('.')) steps[id] = { output: record.output, status: record.status, error: record.error }
    }
    return { trigger: this.input.trigger, config: this.input.definition.config, steps, ...extra }
  }

  private async runStep(step: WorkflowStep, key: string, extra: Scope, keyPrefix = ''): Promise<StepResult> {
    const done = this.state.steps[key]
    // Finished work is final; a failed loop-body step may run again when its loop is retried.
    if (done && done.status !== 'failed') return { record: done }
    const executor = this.registry[step.type] as StepExecutor
    const retry = step.onError === 'retry' ? { ...DEFAULT_RETRY, ...step.retry } : { ...DEFAULT_RETRY, maxAttempts: 1 }
    for (let attempt = 1; ; attempt++) {
      if (this.signal.aborted) throw new RunAborted(this.timedOut ? 'timeout' : 'cancelled')
      const startedAt = this.deps.now()
      // Only attempts that reach outside matter if a crash interrupts them; pure steps just re-run.
      if (executor.sideEffects) await this.deps.stepStarted?.({ key, stepId: step.id, attempt, startedAt })
      const timeout = executor.sideEffects ? this.stepTimeout(step.timeoutMs ?? this.limits.defaultStepTimeoutMs) : undefined
      const stepSignal = timeout?.signal ?? this.signal
      try {
        if (this.cpuLimit && startedAt > this.cpuLimit.deadline) throw new EvaluationLimit(this.cpuLimit.message, this.cpuLimit.code)
        const budget = this.budgetFor(step, startedAt)
        const scope = this.scopeFor(extra, keyPrefix)
        const ctx: StepContext = {
          step,
          key,
          attempt,
          executionId: this.input.executionId,
          scope,
          signal: stepSignal,
          deps: this.deps,
          limits: this.limits,
          render: (value, more) => render(value, more ? { ...scope, ...more } : scope, budget),
          evaluate: (expression, more) => evaluate(expression, more ? { ...scope, ...more } : scope, budget),
          runBody: (steps, bodyScope, prefix) => this.runBody(steps, { ...extra, ...bodyScope }, prefix),
        }
        const outcome =
          this.input.mode === 'dry-run' && executor.sideEffects
            ? { output: { dryRun: true, wouldRun: render(Object.fromEntries(Object.entries(step).filter(([k]) => !CONFIG_KEYS_NOT_RENDERED.has(k))), scope, budget) } }
            : await untilAborted(executor.execute(ctx), stepSignal)
        const output = outcome.output === undefined ? null : outcome.output
        // Sized before it is serialised: an output of shared references (a list of the same large
        // value) would otherwise be turned into gigabytes of JSON just to be measured.
        if (jsonSize(output, this.limits.maxVariableBytes + 1) > this.limits.maxVariableBytes) {
          throw new StepFailure(`The output of step "${step.id}" is larger than ${formatBytes(this.limits.maxVariableBytes)}, the most a step's output may be`, 'USER', { retryable: false, code: 'OUTPUT_TOO_LARGE' })
        }
        if (nestedDeeper(output, this.limits.maxOutputDepth)) {
          throw new StepFailure(`The output of step "${step.id}" nests more than ${this.limits.maxOutputDepth} levels of objects and arrays, the most a step's output may`, 'USER', { retryable: false, code: 'OUTPUT_TOO_DEEP' })
        }
        // UTF-8 bytes, as the checkpoint's body will carry them.
        const json = JSON.stringify(output)
        const size = json === undefined ? 0 : utf8Length(json)
        if (size > this.limits.maxVariableBytes) {
          throw new StepFailure(`The output of step "${step.id}" is ${formatBytes(size)}; a step's output may be at most ${formatBytes(this.limits.maxVariableBytes)}`, 'USER', { retryable: false, code: 'OUTPUT_TOO_LARGE' })
        }
        // Bounds a run's memory and every checkpoint's size, however many loop iterations add up.
        const bytes = recordBytes(key, size, {})
        if (this.dataBytes + bytes > this.limits.maxRunDataBytes) throw this.runDataFull(step.id)
        this.dataBytes += bytes
        return { record: { status: 'completed', output, attempts: attempt, startedAt, finishedAt: this.deps.now() }, next: outcome.next, bytes }
      } catch (err) {
        if (err instanceof RunAborted || err instanceof CheckpointFailed) throw err
        if (this.signal.aborted) throw new RunAborted(this.timedOut ? 'timeout' : 'cancelled')
        const failure = toFailure(err, stepSignal)
        if (failure.retryable && attempt < retry.maxAttempts) {
          await this.deps.sleep(backoffDelay(attempt, retry.backoffMs, retry.maxBackoffMs, this.deps.random), this.signal)
          continue
        }
        return this.failedRecord(key, step.id, failure, { attempts: attempt, startedAt, finishedAt: this.deps.now() }, retry.maxAttempts > 1)
      } finally {
        timeout?.dispose()
      }
    }
  }

  /**
   * A failure as the state keeps it: its message cut to maxErrorChars (a step may throw megabytes),
   * and counted against the run's data like an output, so failures that continue cannot grow a
   * checkpoint past what the platform takes. Once the data is full the run stops here.
   */
  private failedRecord(key: string, stepId: string, failure: StepFailure, times: Pick<StepRecord, 'attempts' | 'startedAt' | 'finishedAt'>, exhaustedRetries: boolean): StepResult {
    let error: StepRecord['error'] = { message: truncateMessage(failure.message), kind: failure.kind, ...(failure.options.code ? { code: failure.options.code } : {}) }
    let bytes = recordBytes(key, 0, { error })
    const fatal = this.dataBytes + bytes > this.limits.maxRunDataBytes
    if (fatal) {
      const full = this.runDataFull(stepId)
      error = { message: full.message, kind: full.kind, code: full.options.code }
      bytes = recordBytes(key, 0, { error })
    }
    this.dataBytes += bytes
    return { record: { status: 'failed', error, ...times }, exhaustedRetries, fatal, bytes }
  }

  private runDataFull(stepId: string): StepFailure {
    const limit = formatBytes(this.limits.maxRunDataBytes)
    return new StepFailure(`The run's data would grow past ${limit} at step "${stepId}" (all step outputs and errors together are limited to ${limit})`, 'USER', { retryable: false, code: 'RUN_DATA_TOO_LARGE' })
  }

  /**
   * What one attempt's templates and expressions may build (one output's limit) and until when:
   * the step's timeout, or the run's CPU budget where that ends first. Synchronous evaluation
   * cannot be interrupted by a timer, so the budget reads the clock itself.
   */
  private budgetFor(step: WorkflowStep, startedAt: number): Budget {
    const stepMs = step.timeoutMs ?? this.limits.defaultStepTimeoutMs
    const time: TimeLimit =
      this.cpuLimit && this.cpuLimit.deadline <= startedAt + stepMs
        ? this.cpuLimit
        : { deadline: startedAt + stepMs, now: this.deps.now, message: `The step's expressions took longer than ${Math.round(stepMs / 1000)} s to evaluate`, code: 'EVALUATION_TIMEOUT' }
    return new Budget(this.limits.maxVariableBytes, time)
  }

  /**
   * A signal that aborts with the run or after `ms`. Its listener on the run signal is removed when
   * the step ends, so a long loop does not pile listeners onto the run.
   */
  private stepTimeout(ms: number): { signal: AbortSignal; dispose(): void } {
    const controller = new AbortController()
    const onRunAbort = () => controller.abort(this.signal.reason)
    if (this.signal.aborted) onRunAbort()
    else this.signal.addEventListener('abort', onRunAbort, { once: true })
    const timer = setTimeout(() => controller.abort(new DOMException('The step timed out', 'TimeoutError')), ms)
    return {
      signal: controller.signal,
      dispose: () => {
        clearTimeout(timer)
        this.signal.removeEventListener('abort', onRunAbort)
      },
    }
  }

  /** A loop iteration: body steps in order, each checkpointed under `prefix`; resumes past finished ones. */
  private async runBody(steps: readonly WorkflowStep[], extra: Scope, prefix: string): Promise<unknown> {
    let last: unknown = null
    for (const step of steps) {
      const key = `${prefix}${step.id}`
      const result = await this.runStep(step, key, extra, prefix)
      if (result.record !== this.state.steps[key]) {
        this.state = { ...this.state, steps: { ...this.state.steps, [key]: result.record } }
        await this.checkpoint(key, result.record, (this.registry[step.type] as StepExecutor).sideEffects, result.bytes)
      }
      if (result.record.status === 'failed' && (step.onError !== 'continue' || result.fatal)) {
        throw new StepFailure(`Step "${step.id}" failed: ${result.record.error?.message}`, result.record.error?.kind ?? 'SYSTEM', { retryable: false, code: result.record.error?.code })
      }
      if (result.record.status === 'completed') last = result.record.output
      if (result.next === null) break
      if (typeof result.next === 'string') throw new StepFailure(`Step "${step.id}" cannot jump to "${result.next}" from inside a loop`, 'USER', { retryable: false })
    }
    return last
  }
}

/**
 * Runs (or resumes) a workflow and returns its final state.
 * @example const state = await runWorkflow({ executionId, definition, trigger }, defaultExecutors(), deps)
 */
export function runWorkflow(input: RunInput, registry: ExecutorRegistry, deps: EngineDeps): Promise<RunState> {
  return new Run(input, registry, deps).run()
}
