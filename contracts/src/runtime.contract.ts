import * as v from 'valibot'
import { WORKFLOW_LIMITS } from './workflow.contract'

/** Bodies of the API the workspace runtime calls (`/api/runtime/*`, workspace token). */

const Owner = v.pipe(v.string(), v.minLength(1), v.maxLength(100))
const Lease = { jobId: v.pipe(v.string(), v.minLength(1), v.maxLength(100)), owner: Owner }

export const LeaseBody = v.strictObject({
  owner: Owner,
  max: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(WORKFLOW_LIMITS.maxConcurrentRunsCeiling)), 1),
  leaseSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(300)), 30),
  /** Long poll: with nothing ready, wait up to this long for work (where the platform can). */
  waitMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(25_000)), 0),
})

export const StepStartedBody = v.strictObject({
  ...Lease,
  key: v.pipe(v.string(), v.minLength(1), v.maxLength(300)),
  attempt: v.pipe(v.number(), v.integer(), v.minValue(1)),
  startedAt: v.number(),
})

/** The engine cuts messages to maxErrorChars before they are checkpointed; anything longer is refused. */
const StepErrorSchema = v.object({
  message: v.pipe(v.string(), v.maxLength(WORKFLOW_LIMITS.maxErrorChars, `An error message is at most ${WORKFLOW_LIMITS.maxErrorChars} characters`)),
  kind: v.picklist(['USER', 'SYSTEM']),
  code: v.optional(v.pipe(v.string(), v.maxLength(100))),
})

export const StepRecordSchema = v.object({
  status: v.picklist(['completed', 'failed', 'skipped']),
  output: v.optional(v.unknown()),
  error: v.optional(StepErrorSchema),
  attempts: v.pipe(v.number(), v.integer(), v.minValue(1)),
  startedAt: v.number(),
  finishedAt: v.number(),
})

export const RunStateSchema = v.object({
  status: v.picklist(['running', 'completed', 'failed', 'cancelled']),
  steps: v.record(v.string(), StepRecordSchema),
  cursor: v.nullable(v.string()),
  startedAt: v.number(),
  finishedAt: v.optional(v.number()),
  error: v.optional(v.object({ ...StepErrorSchema.entries, stepKey: v.optional(v.string()), exhaustedRetries: v.optional(v.boolean()) })),
  lastOutput: v.optional(v.unknown()),
  /** A single-step test run ends after this step (kept across checkpoints and resumes). */
  stopAfter: v.optional(v.pipe(v.string(), v.maxLength(64))),
})

const StepKey = v.pipe(v.string(), v.minLength(1), v.maxLength(300))

export const CheckpointBody = v.strictObject({
  ...Lease,
  /** Absent for a state-only checkpoint (a run that ended without a new step, e.g. cancelled). */
  key: v.optional(StepKey),
  record: v.optional(StepRecordSchema),
  /**
   * Earlier steps without side effects whose checkpoints travel with this one: the runtime may hold
   * them back, since re-running such a step on resume changes nothing outside (docs/architecture.md).
   */
  records: v.optional(v.pipe(v.array(v.object({ key: StepKey, record: StepRecordSchema })), v.maxLength(200))),
  state: RunStateSchema,
})

export const HeartbeatBody = v.strictObject({ ...Lease, leaseSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(300)), 30) })
export const ReleaseBody = v.strictObject({ ...Lease, reason: v.optional(v.pipe(v.string(), v.maxLength(500))) })
/**
 * The run's isolated worker died (its memory limit, a crash in the engine): the run fails here with
 * this message instead of being retried into the same wall. Completed steps stay on the record.
 */
export const FailBody = v.strictObject({
  ...Lease,
  message: v.pipe(v.string(), v.minLength(1), v.maxLength(500)),
  code: v.picklist(['RUN_MEMORY_LIMIT', 'RUN_WORKER_CRASHED']),
})

/**
 * A runtime's own reading of its workspace, where the platform cannot read the container (Nomad
 * from a Worker): memory its cgroup charges, CPU as a share of one core since its last report.
 */
export const UsageReportBody = v.strictObject({
  memoryBytes: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 50)),
  memoryLimitBytes: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 50))),
  cpuCores: v.pipe(v.number(), v.minValue(0), v.maxValue(1024)),
  activeRuns: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10_000)),
  activePlugins: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10_000)),
})
export type UsageReportBody = v.InferOutput<typeof UsageReportBody>

export type RunStateBody = v.InferOutput<typeof RunStateSchema>

/** What a lease hands the runtime for one job. */
export interface LeasedJob {
  jobId: string
  execution: { id: string; mode: 'run' | 'dry-run'; attempt: number; triggerData: unknown; state: RunStateBody | null; cancelRequested: boolean }
  definition: unknown
  /** The last write of each gateway the workflow names (of this workspace's owner): a client kept from an earlier run with the same stamp is still right. */
  gatewayStamps?: Record<string, string>
}

const ExecutionId = v.pipe(v.string(), v.minLength(1), v.maxLength(100))

/**
 * One runtime → platform operation of a batch (`POST /api/runtime/ops`): the runtime coalesces what
 * its runs need into one request, and the platform applies a batch in one transaction.
 */
export const RunOp = v.variant('op', [
  v.strictObject({ op: v.literal('started'), executionId: ExecutionId, ...StepStartedBody.entries }),
  v.strictObject({ op: v.literal('checkpoint'), executionId: ExecutionId, ...CheckpointBody.entries }),
  v.strictObject({ op: v.literal('heartbeat'), executionId: ExecutionId, ...HeartbeatBody.entries }),
])
export type RunOp = v.InferOutput<typeof RunOp>

export const MAX_RUN_OPS = 500
export const RunOpsBody = v.strictObject({ ops: v.pipe(v.array(RunOp), v.minLength(1), v.maxLength(MAX_RUN_OPS)) })

/** Each op's outcome, in the order sent: a lost lease fails only its own op, never the batch. */
export type RunOpResult = { ok: true; cancelRequested?: boolean } | { ok: false; code: 'LEASE_LOST' | 'NOT_FOUND'; message: string }
