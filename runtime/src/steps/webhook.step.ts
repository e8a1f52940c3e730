import type { WorkflowStep } from '@2bot/contracts'
import { StepFailure, type StepExecutor } from '../engine/types'

type WebhookStep = Extract<WorkflowStep, { type: 'webhook' }>

/**
 * An outbound HTTP call through the guarded client (timeouts, size limit, no private targets).
 * Sends `Idempotency-Key` so a target that honours it never doubles the effect of a retried step.
 */
export const webhookStep: StepExecutor<WebhookStep> = {
  sideEffects: true,
  async execute({ step, render, deps, signal, executionId, key }) {
    const url = render(step.url)
    if (typeof url !== 'string') throw new StepFailure('The URL must render to text', 'USER', { retryable: false })
    const headers = render(step.headers) as Record<string, unknown>
    const body = step.body === undefined ? undefined : render(step.body)
    const res = await deps.http.request({
      method: step.method,
      url,
      headers: {
        ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        'idempotency-key': `${executionId}:${key}`,
      },
      body: body === undefined || step.method === 'GET' ? undefined : JSON.stringify(body),
      signal,
    })
    if (res.status >= 500 || res.status === 429) throw new StepFailure(`${step.method} ${url} answered ${res.status}`, 'SYSTEM', { code: 'HTTP_STATUS' })
    if (res.status >= 400) throw new StepFailure(`${step.method} ${url} answered ${res.status}`, 'USER', { retryable: false, code: 'HTTP_STATUS' })
    return { output: res }
  },
}
