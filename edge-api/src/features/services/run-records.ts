/**
 * The engine's words for a run and its steps, as the database spells them. One place, because
 * checkpoints, runs finished in a request, and the executions API all translate them.
 */
export const STEP_STATUS = { completed: 'COMPLETED', failed: 'FAILED', skipped: 'SKIPPED' } as const
export const RUN_STATUS = { running: 'RUNNING', completed: 'COMPLETED', failed: 'FAILED', cancelled: 'CANCELLED' } as const

/** One step's record in a run state (the engine's `StepRecord`, as JSON). */
export interface StepRecordBody {
  status: keyof typeof STEP_STATUS
  output?: unknown
  error?: { message: string; kind: 'USER' | 'SYSTEM' }
  attempts: number
  startedAt: number
  finishedAt: number
}
