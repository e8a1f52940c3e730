import type { EXECUTION_STATUSES, PublicExecution, PublicExecutionStep } from '@2bot/contracts'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi } from '../../api/api'
import { useAuthStore } from '../auth/auth.store'

export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number]

/** An execution as the list and the detail show it: the API's fields plus what is derived from them. */
export interface ExecutionView extends PublicExecution {
  /** From start to end (or until now for a running one is not known: null). */
  durationMs: number | null
  /** Still going: can be cancelled, is polled. */
  active: boolean
}

export interface ExecutionDetailView {
  execution: ExecutionView & { result: unknown }
  steps: PublicExecutionStep[]
  /** The failed step's key, where "retry from failed step" resumes. */
  failedStep: string | null
}

export interface ExecutionFilters {
  status?: ExecutionStatus | null
  trigger?: string | null
  /** Local calendar days [first, last] as timestamps (the date picker's range); both days included. */
  days?: [number, number] | null
}

/**
 * What started a run, for people: `event:<gatewayId>` names the gateway (when its name is known),
 * a retry says what it retried.
 * @example formatTrigger('event:gw_1', { gw_1: 'Support bot' }) // 'message to Support bot'
 */
export function formatTrigger(triggeredBy: string, gatewayNames: Record<string, string> = {}): string {
  if (triggeredBy.startsWith('retry:')) return `retry of ${formatTrigger(triggeredBy.slice('retry:'.length), gatewayNames)}`
  if (triggeredBy.startsWith('event:')) {
    const name = gatewayNames[triggeredBy.slice('event:'.length)]
    return name ? `message to ${name}` : 'gateway event'
  }
  return triggeredBy
}

/** A range of whole local days as the API's `after` (inclusive) and `before` (exclusive) times. */
export function dayRangeQuery(days: [number, number]): { after: string; before: string } {
  const start = new Date(days[0])
  start.setHours(0, 0, 0, 0)
  const end = new Date(days[1])
  end.setHours(0, 0, 0, 0)
  end.setDate(end.getDate() + 1)
  return { after: start.toISOString(), before: end.toISOString() }
}

/** Maps one API execution to the view (duration from `startedAt`..`completedAt`). */
export function toExecutionView<E extends PublicExecution>(e: E): E & Pick<ExecutionView, 'durationMs' | 'active'> {
  const start = e.startedAt ? Date.parse(e.startedAt) : NaN
  const end = e.completedAt ? Date.parse(e.completedAt) : NaN
  return { ...e, durationMs: Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : null, active: e.status === 'PENDING' || e.status === 'RUNNING' }
}

/** A service's executions (newest first) and the one opened in detail. */
export const useExecutionsStore = defineStore('executions', () => {
  const api = useApi()
  const serviceId = ref<string | null>(null)
  const executions = ref<ExecutionView[]>([])
  const detail = ref<ExecutionDetailView | null>(null)
  const loading = ref(false)
  const loadingDetail = ref(false)

  async function load(id: string, filters: ExecutionFilters = {}) {
    loading.value = true
    try {
      const query: { status?: ExecutionStatus; trigger?: string; after?: string; before?: string } = {}
      if (filters.status) query.status = filters.status
      if (filters.trigger?.trim()) query.trigger = filters.trigger.trim()
      if (filters.days) Object.assign(query, dayRangeQuery(filters.days))
      const res = await api.call(api.client.user.services[':id'].executions.$get({ param: { id }, query }))
      // Another service's open execution goes; this one's may have loaded first (the page loads both at once).
      if (detail.value && detail.value.execution.serviceId !== id) detail.value = null
      serviceId.value = id
      executions.value = res.executions.map(toExecutionView)
    } finally {
      loading.value = false
    }
  }

  async function loadDetail(id: string, execId: string) {
    loadingDetail.value = true
    try {
      const res = await api.call(api.client.user.services[':id'].executions[':execId'].$get({ param: { id, execId } }))
      const execution = toExecutionView(res.execution)
      detail.value = { execution, steps: res.steps, failedStep: res.steps.findLast((s) => s.status === 'FAILED')?.key ?? null }
      // Keep the list row in step with what the detail just read.
      executions.value = executions.value.map((e) => (e.id === execution.id ? execution : e))
      return detail.value
    } finally {
      loadingDetail.value = false
    }
  }

  /** Starts a new execution from the failed step or from the trigger; returns it (the list gets it on top). */
  async function retry(id: string, execId: string, from: 'failed-step' | 'trigger') {
    const res = await api.call(api.client.user.services[':id'].executions[':execId'].retry.$post({ param: { id, execId }, json: { from } }))
    const execution = toExecutionView(res.execution)
    if (serviceId.value === id) executions.value = [execution, ...executions.value.filter((e) => e.id !== execution.id)]
    return execution
  }

  async function cancel(id: string, execId: string) {
    const res = await api.call(api.client.user.services[':id'].executions[':execId'].cancel.$post({ param: { id, execId } }))
    const execution = toExecutionView(res.execution)
    executions.value = executions.value.map((e) => (e.id === execution.id ? execution : e))
    if (detail.value?.execution.id === execution.id) detail.value = { ...detail.value, execution: { ...execution, result: detail.value.execution.result } }
    return execution
  }

  useAuthStore().onSignedOut(() => {
    serviceId.value = null
    executions.value = []
    detail.value = null
  })

  return { serviceId, executions, detail, loading, loadingDetail, load, loadDetail, retry, cancel }
})

/** A duration for people: `850 ms`, `2.3 s`, `1 min 5 s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const min = Math.floor(ms / 60_000)
  return `${min} min ${Math.round((ms % 60_000) / 1000)} s`
}

export const EXECUTION_STATUS_TAG = { PENDING: 'default', RUNNING: 'info', COMPLETED: 'success', FAILED: 'error', CANCELLED: 'warning' } as const
export const STEP_STATUS_TAG = { RUNNING: 'info', COMPLETED: 'success', FAILED: 'error', SKIPPED: 'default' } as const
