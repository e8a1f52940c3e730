import type { AppDeps } from '../../deps'
import { newId } from '../../lib/crypto'
import { AppError } from '../../lib/errors'
import { MAX_JSON_DEPTH, scanJson, storableText, toStorable } from '../../lib/storable-json'
import { notifyExecutionFailed } from '../notifications/notifications.service'
import { directRunWriter } from '../../adapters/runs/finished-runs.writers'
import { forgetServiceList, type Service } from '../services/services.service'
import { forgetExecutionPages } from '../services/executions.service'

export interface WebhookTrigger {
  body: unknown
  query: Record<string, string>
  method: string
}

/**
 * What a webhook call hands its workflow as `trigger`, made storable: text PostgreSQL cannot hold
 * (NUL, lone UTF-16 halves) becomes U+FFFD in the body and the query. A JSON body nested deeper
 * than MAX_JSON_DEPTH cannot be kept at all: `refused` says why, and the body is left out.
 * Malformed JSON is the caller's mistake to fix and answers 400 before anything is recorded.
 */
export function webhookTrigger(text: string, contentType: string | undefined, url: string, method: string): { trigger: WebhookTrigger; refused?: string } {
  const query = Object.fromEntries([...new URL(url).searchParams].map(([k, v]) => [storableText(k), storableText(v)]))
  if (!contentType?.includes('json') || !text) return { trigger: { body: storableText(text), query, method } }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new AppError('MALFORMED_JSON', 'The request body is not valid JSON')
  }
  const scan = scanJson(parsed, MAX_JSON_DEPTH)
  if (scan.tooDeep) return { trigger: { body: null, query, method }, refused: `The request body is nested deeper than ${MAX_JSON_DEPTH} levels, the most a webhook takes; it was not kept` }
  return { trigger: { body: scan.unstorable ? toStorable(parsed) : parsed, query, method } }
}

/**
 * A trigger the workflow cannot run with is still recorded, as a run that FAILED at once with the
 * user's fault saying why, so its owner sees every call that came.
 */
export async function recordRefusedTrigger(deps: AppDeps, service: Service, trigger: WebhookTrigger, message: string): Promise<string> {
  const id = newId()
  const now = deps.clock.now()
  await (deps.finishedRuns ?? directRunWriter(deps.db)).write({
    id,
    serviceId: service.id,
    userId: service.userId,
    organizationId: service.organizationId,
    serviceVersion: service.currentVersion,
    status: 'FAILED',
    mode: 'run',
    triggeredBy: 'webhook',
    triggerData: trigger,
    state: null,
    result: null,
    error: message,
    errorKind: 'USER',
    deadLetter: false,
    startedAt: now,
    completedAt: now,
    createdAt: now,
  })
  forgetServiceList(deps, service.userId)
  forgetExecutionPages(deps, [service.id])
  await notifyExecutionFailed(deps, id)
  return id
}

/**
 * Whether the database refused the data itself (PostgreSQL's class 22, data exceptions, or a
 * value nested past its stack): the trigger is then recorded without it rather than lost to a 500.
 */
export function isDataError(err: unknown): boolean {
  for (let e = err, i = 0; e && typeof e === 'object' && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (code.startsWith('22') || code === '54001')) return true
  }
  return false
}
