import { Hono } from 'hono'
import { RunStepBody } from '@2bot/contracts'
import type { AppEnv } from '../../env'
import { AppError } from '../../lib/errors'
import { validate } from '../../middleware/validate'
import { audit } from '../audit/audit.service'
import { authOf, requireAuth } from '../auth/auth.middleware'
import { enqueueExecution, toPublicExecution } from './executions.service'
import { findService, findVersion } from './services.service'

const execute = requireAuth({ scope: 'execute:services' })

/**
 * Runs one step of the current version with pinned input: the pinned outputs become completed step
 * records of a seeded run state whose cursor is on the step, and `stopAfter` ends the run after it.
 * The execution is an ordinary one, so the canvas follows it like any test run.
 */
export const stepRunRoutes = new Hono<AppEnv>().post('/:id/steps/:stepId/run', execute, validate('json', RunStepBody), async (c) => {
  const deps = c.get('deps')
  const service = await findService(deps, authOf(c).user.id, c.req.param('id'))
  const body = c.req.valid('json')
  const stepId = c.req.param('stepId')
  const definition = await findVersion(deps, service.id, service.currentVersion)
  const topLevel = new Set(definition.steps.map((s) => s.id))
  if (!topLevel.has(stepId)) throw new AppError('BAD_REQUEST', `Version ${service.currentVersion} has no top-level step "${stepId}"; save the workflow first`)
  const unknown = Object.keys(body.outputs).filter((id) => !topLevel.has(id))
  if (unknown.length) throw new AppError('BAD_REQUEST', `Pinned outputs name unknown steps: ${unknown.join(', ')}`, { unknown })
  if (body.mode === 'run' && !service.isEnabled) throw new AppError('CONFLICT', 'The service is disabled; enable it or use a dry run')

  const now = deps.clock.now().getTime()
  const steps = Object.fromEntries(
    Object.entries(body.outputs)
      .filter(([id]) => id !== stepId)
      .map(([id, output]) => [id, { status: 'completed', output: output ?? null, attempts: 1, startedAt: now, finishedAt: now }]),
  )
  const execution = await enqueueExecution(deps, {
    service,
    triggeredBy: 'test:step',
    triggerData: body.trigger,
    mode: body.mode,
    state: { status: 'running', steps, cursor: stepId, startedAt: now, stopAfter: stepId },
  })
  await audit(c, { action: 'service.run', resource: 'execution', resourceId: execution.id, metadata: { serviceId: service.id, step: stepId, dryRun: body.mode === 'dry-run' } })
  return c.json({ execution: toPublicExecution(execution) }, 202)
})
