import type { WorkflowDefinition, WorkflowStep } from '@2bot/contracts'
import type { Scope } from '../expressions/evaluate'

/** USER: fix the workflow or its credentials. SYSTEM: ours (or the far end's) to fix. */
export type ErrorKind = 'USER' | 'SYSTEM'

/** An expected failure of a step: recorded as data, not thrown through the engine. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind,
    readonly options: { retryable?: boolean; code?: string } = {},
  ) {
    super(message)
    this.name = 'StepFailure'
  }
  get retryable(): boolean {
    return this.options.retryable ?? this.kind === 'SYSTEM'
  }
}

export interface StepError {
  message: string
  kind: ErrorKind
  code?: string
}

export interface StepRecord {
  status: 'completed' | 'failed' | 'skipped'
  output?: unknown
  error?: StepError
  attempts: number
  startedAt: number
  finishedAt: number
}

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled'

/**
 * Everything needed to continue a run after a crash. Treated as immutable: every transition makes
 * a new object, so a checkpoint is a snapshot.
 */
export interface RunState {
  status: RunStatus
  /** Finished steps by key: a top-level step id, or `loop[3].body` inside loops. */
  steps: Readonly<Record<string, StepRecord>>
  /** The top-level step to run next; null when the run has ended. */
  cursor: string | null
  startedAt: number
  finishedAt?: number
  error?: StepError & { stepKey?: string; exhaustedRetries?: boolean }
  /** The last finished step's output: the synchronous webhook response. */
  lastOutput?: unknown
  /** A single-step test run: the run ends (completed) once this top-level step has finished. */
  stopAfter?: string
}

export interface Limits {
  maxRunMs: number
  defaultStepTimeoutMs: number
  maxLoopIterations: number
  maxVariableBytes: number
  /** Objects and arrays an output may nest: the platform stores it as jsonb, which PostgreSQL parses recursively. */
  maxOutputDepth: number
  maxRunDataBytes: number
  /** CPU the whole run may use (inline runs in the API process): checked between steps and inside evaluation. */
  maxRunCpuMs?: number
}

export interface CheckpointEvent {
  key: string
  record: StepRecord
  state: RunState
  /** Whether the step reached outside (message, HTTP call, wait): its checkpoint must land before the next step. */
  sideEffects: boolean
  /** What the record adds to the run's state, in bytes (its output, error, bookkeeping). */
  bytes?: number
}

export interface StepStartEvent {
  key: string
  stepId: string
  attempt: number
  startedAt: number
}

/** Calls a gateway action with decrypted credentials; the runtime's gateway layer implements it. */
export interface GatewayInvoker {
  invoke(call: { gatewayId: string; action: string; params: unknown; idempotencyKey: string; signal: AbortSignal }): Promise<unknown>
}

/** Calls an action of a plugin installed in the workspace; the runtime's plugin host implements it. */
export interface PluginInvoker {
  invoke(call: { plugin: string; action: string; params: unknown; idempotencyKey: string; signal: AbortSignal }): Promise<unknown>
}

export interface CodeRunner {
  run(source: string, input: unknown, opts: { timeoutMs: number; signal: AbortSignal }): Promise<unknown>
}

export interface HttpRequest {
  method: string
  url: string
  headers: Record<string, string>
  body?: string
  signal: AbortSignal
}

export interface HttpResponse {
  status: number
  headers: Record<string, string>
  body: unknown
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>
}

export interface EngineDeps {
  gateways: GatewayInvoker
  /** Absent where no plugin host runs (engine tests, dry tools): plugin steps then fail as unavailable. */
  plugins?: PluginInvoker
  http: HttpClient
  code: CodeRunner
  now(): number
  sleep(ms: number, signal: AbortSignal): Promise<void>
  random(): number
  /** Called after every step attempt ends, before the next begins; the run waits for it. */
  checkpoint(event: CheckpointEvent): Promise<void>
  /** Called before every attempt of a side-effecting step: lets the platform record an attempt a crash interrupts. */
  stepStarted?(event: StepStartEvent): Promise<void>
  limits?: Partial<Limits>
}

export interface RunInput {
  executionId: string
  definition: WorkflowDefinition
  trigger: unknown
  /** A checkpointed state to resume from; absent for a new run. */
  state?: RunState
  /** 'dry-run' executes pure steps and reports what side-effecting steps would do. */
  mode?: 'run' | 'dry-run'
  signal?: AbortSignal
}

export interface StepOutcome {
  output: unknown
  /** For branching steps: the top-level step to go to; null ends the run. */
  next?: string | null
}

export interface StepContext<S extends WorkflowStep = WorkflowStep> {
  step: S
  key: string
  attempt: number
  executionId: string
  scope: Scope
  signal: AbortSignal
  deps: EngineDeps
  limits: Limits
  /** Renders in the step's scope (plus `extraScope`, e.g. a list item), charging the step's budget. */
  render(value: unknown, extraScope?: Scope): unknown
  evaluate(expression: string, extraScope?: Scope): unknown
  /** Runs a loop body (with resume) under `keyPrefix`; returns the last body step's output. */
  runBody(steps: readonly WorkflowStep[], extraScope: Scope, keyPrefix: string): Promise<unknown>
}

export interface StepExecutor<S extends WorkflowStep = WorkflowStep> {
  /** Reaches outside the sandbox (a message, an HTTP call, time): dry-run does not execute it. */
  readonly sideEffects: boolean
  execute(ctx: StepContext<S>): Promise<StepOutcome>
}

export type ExecutorRegistry = { [T in WorkflowStep['type']]: StepExecutor<Extract<WorkflowStep, { type: T }>> }
