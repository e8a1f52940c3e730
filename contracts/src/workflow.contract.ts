import { Cron } from 'croner'
import { RE2JS } from 're2js'
import * as v from 'valibot'

/**
 * The workflow definition: data the runtime executes step by step. Shared by the API (validation
 * on save), the runtime (execution) and the UI (canvas forms).
 */

export const WORKFLOW_LIMITS = {
  maxSteps: 50,
  maxLoopIterations: 1000,
  maxRunMs: 5 * 60 * 1000,
  defaultStepTimeoutMs: 30_000,
  maxStepTimeoutMs: 5 * 60 * 1000,
  maxVariableBytes: 1024 * 1024,
  /** A step's output nests at most this many objects and arrays (PostgreSQL parses jsonb recursively). */
  maxOutputDepth: 100,
  /** All of a run's step outputs together: what its state (and each checkpoint) may carry. */
  maxRunDataBytes: 8 * 1024 * 1024,
  /** Runs one workspace has in flight at once in the cloud (a shared platform's bulkhead per owner). */
  maxConcurrentRunsPerUser: 10,
  /** What a deployment may raise it to (the embedded default on one's own machine: see local-config.ts). */
  maxConcurrentRunsCeiling: 200,
  maxRetryAttempts: 10,
  maxDelayMs: 5 * 60 * 1000,
  maxCodeBytes: 64 * 1024,
  /** A step's or run's error message is cut to this many characters before it is checkpointed. */
  maxErrorChars: 4096,
  /** CPU an inline (pure, synchronous webhook) run may use in the API process. */
  maxInlineRunCpuMs: 100,
} as const

const StepId = v.pipe(v.string('Step id is required'), v.regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Step id must start with a letter and use letters, digits, _ or - (max 64)'))
/** An expression without braces, e.g. `trigger.message.text` or `steps.ai.output.length > 0`. */
const Expression = v.pipe(v.string('Expression is required'), v.minLength(1, 'Expression is empty'), v.maxLength(2000, 'Expression is too long'))
/** Any JSON value whose strings may hold `{{ expressions }}`. */
const Template = v.unknown()

const isValidTimezone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

const isValidCron = (expr: string) => {
  try {
    new Cron(expr, { paused: true })
    return true
  } catch {
    return false
  }
}

/**
 * The most instructions a `textPattern` may compile to. RE2 matches in time linear in the text,
 * but the factor is the program's size: `(?i)[\p{L}]{1,1000}` is 2,000 instructions and tens of
 * milliseconds per 4 KB message; within this cap a match stays around a few milliseconds.
 */
export const MAX_PATTERN_PROGRAM = 500

/**
 * A user's regular expression, compiled by RE2 (re2js, pure JavaScript: the API, Workers and the
 * browser run the same engine): linear-time matching, so no pattern can backtrack for seconds on
 * one message. RE2 refuses what it cannot match in linear time (backreferences, lookarounds).
 * Throws an Error whose message says what is wrong.
 * @example compileTextPattern('^order #\\d+').test('order #12') → true
 */
export function compileTextPattern(source: string): RE2JS {
  let re: RE2JS
  try {
    re = RE2JS.compile(source)
  } catch (err) {
    const reason = (err as Error).message.replace(/^error parsing regexp: /, '')
    throw new Error(`Not a valid regular expression (RE2 syntax: no backreferences or lookarounds): ${reason}`)
  }
  if (re.programSize() > MAX_PATTERN_PROGRAM) {
    throw new Error(`The pattern is too complex: it compiles to ${re.programSize()} instructions, at most ${MAX_PATTERN_PROGRAM} (use smaller repetition counts)`)
  }
  return re
}

const TextPattern = v.pipe(
  v.string(),
  v.maxLength(500, 'A text pattern is at most 500 characters'),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return
    try {
      compileTextPattern(dataset.value)
    } catch (err) {
      addIssue({ message: (err as Error).message })
    }
  }),
)

export const TriggerSchema = v.variant('type', [
  v.strictObject({ type: v.literal('manual') }),
  v.strictObject({
    type: v.literal('schedule'),
    cron: v.pipe(v.string(), v.maxLength(100), v.check(isValidCron, 'Not a valid cron expression')),
    timezone: v.optional(v.pipe(v.string(), v.check(isValidTimezone, 'Unknown time zone')), 'UTC'),
  }),
  v.strictObject({
    type: v.literal('event'),
    gatewayId: v.pipe(v.string(), v.minLength(1, 'Pick a gateway')),
    event: v.picklist(['message', 'edited_message', 'callback_query', 'channel_post', 'any']),
    filters: v.optional(
      v.strictObject({
        chatIds: v.optional(v.pipe(v.array(v.union([v.string(), v.number()])), v.maxLength(100))),
        command: v.optional(v.pipe(v.string(), v.regex(/^\/?[A-Za-z0-9_]{1,32}$/, 'A command is letters, digits or _ (max 32)'))),
        textPattern: v.optional(TextPattern),
      }),
    ),
  }),
  v.strictObject({
    type: v.literal('webhook'),
    /** 'lastStep' answers the HTTP call with the last step's output (synchronous). */
    respond: v.optional(v.picklist(['immediately', 'lastStep']), 'immediately'),
  }),
])

const RetryPolicy = v.strictObject({
  maxAttempts: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(WORKFLOW_LIMITS.maxRetryAttempts)),
  backoffMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(60_000)), 1000),
  maxBackoffMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(600_000)), 30_000),
})

const stepBase = {
  id: StepId,
  name: v.optional(v.pipe(v.string(), v.maxLength(100))),
  /** stop: fail the run; continue: record the failure and go on; retry: retry then fail. */
  onError: v.optional(v.picklist(['stop', 'continue', 'retry']), 'stop'),
  retry: v.optional(RetryPolicy),
  timeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(WORKFLOW_LIMITS.maxStepTimeoutMs))),
  /** Canvas position; ignored by the engine. */
  position: v.optional(v.strictObject({ x: v.number(), y: v.number() })),
}

const GatewayStep = v.strictObject({
  ...stepBase,
  type: v.literal('gateway'),
  gatewayId: v.pipe(v.string(), v.minLength(1, 'Pick a gateway')),
  action: v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'Unknown action')),
  params: v.optional(v.record(v.string(), Template), {}),
})

const TransformStep = v.strictObject({
  ...stepBase,
  type: v.literal('transform'),
  /** Without `input`: the rendered `value` is the output. With `input` (an array): filter, then map. */
  value: v.optional(Template),
  input: v.optional(Expression),
  filter: v.optional(Expression),
  map: v.optional(Template),
})

const ConditionStep = v.strictObject({
  ...stepBase,
  type: v.literal('condition'),
  if: Expression,
  /** Step to go to; null ends the run; absent goes on with the next step. */
  then: v.optional(v.nullable(StepId)),
  else: v.optional(v.nullable(StepId)),
})

const DelayStep = v.strictObject({
  ...stepBase,
  type: v.literal('delay'),
  ms: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(WORKFLOW_LIMITS.maxDelayMs)),
})

const WebhookStep = v.strictObject({
  ...stepBase,
  type: v.literal('webhook'),
  method: v.optional(v.picklist(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']), 'POST'),
  url: v.pipe(v.string(), v.minLength(1, 'URL is required'), v.maxLength(2048)),
  headers: v.optional(v.record(v.string(), v.string()), {}),
  body: v.optional(Template),
})

const CodeStep = v.strictObject({
  ...stepBase,
  type: v.literal('code'),
  /** A function body; `input` holds trigger, steps and config; its return value (JSON) is the output. */
  source: v.pipe(v.string(), v.minLength(1, 'Code is empty'), v.maxLength(WORKFLOW_LIMITS.maxCodeBytes, 'Code is larger than 64 KB')),
})

const PluginStep = v.strictObject({
  ...stepBase,
  type: v.literal('plugin'),
  plugin: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'Unknown plugin')),
  action: v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'Unknown action')),
  params: v.optional(v.record(v.string(), Template), {}),
})

type LeafStepSchema =
  | typeof GatewayStep
  | typeof TransformStep
  | typeof ConditionStep
  | typeof DelayStep
  | typeof WebhookStep
  | typeof CodeStep
  | typeof PluginStep

export type LoopStep = v.InferOutput<typeof LoopStepBase> & { steps: WorkflowStep[] }
export type WorkflowStep = v.InferOutput<LeafStepSchema> | LoopStep

const LoopStepBase = v.strictObject({
  ...stepBase,
  type: v.literal('loop'),
  over: Expression,
  /** The name of the current element in the body's expressions (`index` holds its position). */
  as: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,31}$/)), 'item'),
})

const LoopStep: v.GenericSchema<LoopStep> = v.strictObject({
  ...LoopStepBase.entries,
  steps: v.pipe(
    v.array(v.lazy(() => StepSchema)),
    v.minLength(1, 'A loop needs at least one step'),
  ),
}) as unknown as v.GenericSchema<LoopStep>

export const StepSchema: v.GenericSchema<WorkflowStep> = v.variant('type', [
  GatewayStep,
  TransformStep,
  ConditionStep,
  LoopStep as never,
  DelayStep,
  WebhookStep,
  CodeStep,
  PluginStep,
]) as unknown as v.GenericSchema<WorkflowStep>

export const STEP_TYPES = ['gateway', 'transform', 'condition', 'loop', 'delay', 'webhook', 'code', 'plugin'] as const
export type StepType = (typeof STEP_TYPES)[number]

/** Every step of a definition, loop bodies included, depth first. */
export function allSteps(steps: readonly WorkflowStep[]): WorkflowStep[] {
  return steps.flatMap((s) => (s.type === 'loop' ? [s, ...allSteps(s.steps)] : [s]))
}

export const WorkflowDefinitionSchema = v.pipe(
  v.strictObject({
    version: v.optional(v.literal(1), 1),
    trigger: TriggerSchema,
    config: v.optional(v.record(v.string(), v.unknown()), {}),
    steps: v.pipe(v.array(StepSchema), v.minLength(1, 'A workflow needs at least one step')),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return
    const steps = allSteps(dataset.value.steps)
    if (steps.length > WORKFLOW_LIMITS.maxSteps) {
      addIssue({ message: `A workflow has at most ${WORKFLOW_LIMITS.maxSteps} steps (this one has ${steps.length})`, path: [pathItem(dataset.value, 'steps')] })
    }
    const seen = new Set<string>()
    steps.forEach((step) => {
      if (seen.has(step.id)) addIssue({ message: `Step id "${step.id}" is used twice`, path: [pathItem(dataset.value, 'steps')] })
      seen.add(step.id)
    })
    const topLevel = new Set(dataset.value.steps.map((s) => s.id))
    for (const step of steps) {
      if (step.type !== 'condition') continue
      for (const key of ['then', 'else'] as const) {
        const target = step[key]
        if (target && !topLevel.has(target)) {
          addIssue({ message: `Step "${step.id}": ${key} goes to "${target}", which is not a top-level step`, path: [pathItem(dataset.value, 'steps')] })
        }
      }
    }
  }),
)

function pathItem(input: Record<string, unknown>, key: string): v.ObjectPathItem {
  return { type: 'object', origin: 'value', input, key, value: input[key] }
}

export type WorkflowDefinition = v.InferOutput<typeof WorkflowDefinitionSchema>
export type WorkflowTrigger = v.InferOutput<typeof TriggerSchema>

export interface WorkflowIssue {
  /** The id of the failing step, when the issue is inside one. */
  stepId?: string
  /** Dot path into the definition, e.g. `steps.2.if`. */
  path: string
  message: string
}

/**
 * Validates a definition and names the failing step and field of every issue.
 * @example validateWorkflow(body) → { ok: false, issues: [{ stepId: 'reply', path: 'steps.2.text', message: '...' }] }
 */
export function validateWorkflow(input: unknown): { ok: true; definition: WorkflowDefinition } | { ok: false; issues: WorkflowIssue[] } {
  const result = v.safeParse(WorkflowDefinitionSchema, input)
  if (result.success) return { ok: true, definition: result.output }
  return { ok: false, issues: result.issues.map((issue) => describeIssue(input, issue)) }
}

function describeIssue(input: unknown, issue: v.BaseIssue<unknown>): WorkflowIssue {
  const keys = (issue.path ?? []).map((p) => p.key as string | number)
  let node: unknown = input
  let stepId: string | undefined
  for (const key of keys) {
    node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined
    const id = (node as { id?: unknown } | undefined)?.id
    if (node && typeof node === 'object' && 'type' in node && typeof id === 'string') stepId = id
  }
  return { ...(stepId ? { stepId } : {}), path: keys.join('.'), message: issue.message }
}
