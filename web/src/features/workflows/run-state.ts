/**
 * The canvas's live test run, as pure data: the events of `GET …/executions/:execId/events`
 * (`snapshot`, `step`, `finished`) folded into one state per step key. A later run attempt (`lease`)
 * or a later try of the step (`attempt`) always wins; within one attempt an end wins over a start.
 */
export type StepRunStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'SKIPPED'
export type NodeRunStatus = 'running' | 'done' | 'failed' | 'skipped'

export interface StepRunState {
  key: string
  lease: number
  attempt: number
  status: StepRunStatus
  output?: unknown
  error?: string | null
  durationMs?: number | null
}

export interface RunState {
  executionId: string | null
  /** The execution's status: PENDING / RUNNING until `finished` says how it ended. */
  status: string | null
  finished: boolean
  steps: Record<string, StepRunState>
}

export interface SnapshotEvent {
  type: 'snapshot'
  execution: { id?: string; status: string }
  steps: StepRunState[]
}
export interface StepEvent extends Omit<StepRunState, 'durationMs'> {
  type: 'step'
}
export interface FinishedEvent {
  type: 'finished'
  status: string
}
export type RunEvent = SnapshotEvent | StepEvent | FinishedEvent

export const ENDED_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'] as const

export function emptyRunState(executionId: string | null = null, status: string | null = null): RunState {
  return { executionId, status, finished: false, steps: {} }
}

const rank = (s: StepRunStatus) => (s === 'RUNNING' ? 0 : 1)

/** Whether `next` replaces `prev` for the same key. */
export function supersedes(prev: StepRunState | undefined, next: Pick<StepRunState, 'lease' | 'attempt' | 'status'>): boolean {
  if (!prev) return true
  if (next.lease !== prev.lease) return next.lease > prev.lease
  if (next.attempt !== prev.attempt) return next.attempt > prev.attempt
  // The same try: its end replaces its start, a late "started" never hides an end.
  return rank(next.status) >= rank(prev.status)
}

function applyStep(steps: Record<string, StepRunState>, s: StepRunState): Record<string, StepRunState> {
  const prev = steps[s.key]
  if (!supersedes(prev, s)) return steps
  // A start carries no output: keep nothing from an older attempt either.
  const next: StepRunState = { key: s.key, lease: s.lease, attempt: s.attempt, status: s.status }
  if (s.output !== undefined) next.output = s.output
  if (s.error !== undefined) next.error = s.error
  if (s.durationMs !== undefined) next.durationMs = s.durationMs
  return { ...steps, [s.key]: next }
}

/** Applies one event; never mutates `state`. */
export function reduceRun(state: RunState, event: RunEvent): RunState {
  switch (event.type) {
    case 'snapshot': {
      let steps = state.steps
      for (const s of event.steps) steps = applyStep(steps, s)
      const ended = (ENDED_STATUSES as readonly string[]).includes(event.execution.status)
      // A snapshot never undoes a `finished` already heard.
      return {
        ...state,
        executionId: event.execution.id ?? state.executionId,
        status: state.finished ? state.status : event.execution.status,
        finished: state.finished || ended,
        steps,
      }
    }
    case 'step':
      return { ...state, status: state.finished ? state.status : 'RUNNING', steps: applyStep(state.steps, event) }
    case 'finished':
      return { ...state, status: event.status, finished: true }
  }
}

/** How a node shows a step's state on the canvas. */
export function nodeRunStatus(step: StepRunState | undefined): NodeRunStatus | undefined {
  if (!step) return undefined
  switch (step.status) {
    case 'RUNNING':
      return 'running'
    case 'COMPLETED':
      return 'done'
    case 'FAILED':
      return 'failed'
    case 'SKIPPED':
      return 'skipped'
  }
}

/** Parses one server-sent event (its name and JSON data) into a run event; null when unusable. */
export function parseRunEvent(name: string, data: string): RunEvent | null {
  let body: unknown
  try {
    body = JSON.parse(data)
  } catch {
    return null
  }
  if (!body || typeof body !== 'object') return null
  const o = body as Record<string, unknown>
  if (name === 'snapshot' && o.execution && Array.isArray(o.steps)) return { type: 'snapshot', execution: o.execution as SnapshotEvent['execution'], steps: o.steps as SnapshotEvent['steps'] }
  if (name === 'step' && typeof o.key === 'string') return { ...(o as unknown as StepEvent), type: 'step' }
  if (name === 'finished' && typeof o.status === 'string') return { type: 'finished', status: o.status }
  return null
}

/**
 * A step's state in the last run by its id. A loop's body step runs once per item under keys like
 * `each[2].send` (`outer[0].inner[1].send` when nested): the canvas shows its latest item.
 */
export function stepRunOf(steps: Record<string, StepRunState>, stepId: string): StepRunState | undefined {
  if (steps[stepId]) return steps[stepId]
  let latest: StepRunState | undefined
  for (const [key, s] of Object.entries(steps)) if (key.endsWith(`].${stepId}`)) latest = s
  return latest
}
