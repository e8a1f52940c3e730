import * as v from 'valibot'

const Name = v.pipe(v.string('Name is required'), v.trim(), v.minLength(1, 'Name is required'), v.maxLength(100, 'Name is too long'))
const Description = v.nullable(v.pipe(v.string(), v.maxLength(1000, 'Description is too long')))

/** `definition` is checked by validateWorkflow, which names the failing step and field. */
export const CreateServiceBody = v.strictObject({
  name: Name,
  description: v.optional(Description),
  definition: v.unknown(),
})

export const UpdateServiceBody = v.pipe(
  v.strictObject({ name: v.optional(Name), description: v.optional(Description), definition: v.optional(v.unknown()) }),
  v.check((b) => Object.keys(b).length > 0, 'Nothing to update'),
)

export const RunServiceBody = v.strictObject({
  /** What the manual trigger hands to the workflow as `trigger`. */
  input: v.optional(v.record(v.string(), v.unknown()), {}),
  dryRun: v.optional(v.boolean(), false),
})

/**
 * A test run of one step: `trigger` is the pinned trigger data, `outputs` the pinned outputs of
 * earlier steps by step id; the run executes only `:stepId` and ends.
 */
export const RunStepBody = v.strictObject({
  trigger: v.optional(v.record(v.string(), v.unknown()), {}),
  outputs: v.optional(v.pipe(v.record(v.string(), v.unknown()), v.check((o) => Object.keys(o).length <= 50, 'At most 50 pinned outputs')), {}),
  mode: v.optional(v.picklist(['run', 'dry-run'], 'mode must be run or dry-run'), 'dry-run'),
})

export const VersionParam = v.strictObject({
  id: v.string(),
  version: v.pipe(v.string(), v.regex(/^[1-9][0-9]{0,8}$/, 'version must be a positive integer'), v.transform(Number)),
})

export const RetryExecutionBody = v.strictObject({
  /** 'failed-step' resumes after the last completed step; 'trigger' starts over with the same trigger. */
  from: v.picklist(['failed-step', 'trigger'], 'from must be failed-step or trigger'),
})

export const EXECUTION_STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const

export const ListExecutionsQuery = v.strictObject({
  status: v.optional(v.picklist(EXECUTION_STATUSES)),
  trigger: v.optional(v.pipe(v.string(), v.maxLength(100))),
  limit: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(100)), '25'),
  /** Executions created before this ISO time (for the next page, or the end of a date range). */
  before: v.optional(v.pipe(v.string(), v.isoTimestamp('before must be an ISO time'))),
  /** Executions created at or after this ISO time (the start of a date range). */
  after: v.optional(v.pipe(v.string(), v.isoTimestamp('after must be an ISO time'))),
})

export interface PublicService {
  id: string
  name: string
  description: string | null
  isEnabled: boolean
  triggerType: 'MANUAL' | 'SCHEDULE' | 'EVENT' | 'WEBHOOK'
  currentVersion: number
  status: string
  lastRunAt: string | null
  createdAt: string
  updatedAt: string
  definition?: unknown
}

export interface PublicExecution {
  id: string
  serviceId: string
  serviceVersion: number
  status: (typeof EXECUTION_STATUSES)[number]
  mode: 'run' | 'dry-run'
  triggeredBy: string
  attempt: number
  error: string | null
  errorKind: 'USER' | 'SYSTEM' | null
  deadLetter: boolean
  tokensUsed: number
  createdAt: string
  startedAt: string | null
  completedAt: string | null
}

export interface PublicExecutionStep {
  key: string
  /** Which attempt of the whole run (a resume after a crash is the next one). */
  lease: number
  /** Which try of this step within that run attempt (retries). */
  attempt: number
  status: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'SKIPPED'
  output: unknown
  error: string | null
  errorKind: 'USER' | 'SYSTEM' | null
  startedAt: string
  completedAt: string | null
  durationMs: number | null
}
