import { Cron } from 'croner'
import { and, eq, isNull } from 'drizzle-orm'
import type { WorkflowDefinition } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { serviceVersions, services } from '../../db/schema'
import { enqueueExecutions, type EnqueueInput } from '../services/executions.service'

/** The next time a cron with time zone fires after `after`, or null if it never does again. */
export function nextOccurrence(trigger: { cron: string; timezone?: string }, after: Date): Date | null {
  return new Cron(trigger.cron, { timezone: trigger.timezone ?? 'UTC', paused: true }).nextRun(after)
}

/**
 * Starts the runs of schedule-triggered workflows that are due (embedded mode calls this every
 * tick; in the cloud the same happens when QStash delivers a schedule). Each occurrence has a
 * dedup key, so overlapping ticks start one run; missed occurrences while the platform was off
 * fire once, not once per missed slot.
 */
export async function runDueSchedules(deps: AppDeps): Promise<number> {
  const now = deps.clock.now()
  const rows = await deps.db
    .select({ service: services, definition: serviceVersions.definition })
    .from(services)
    .innerJoin(serviceVersions, and(eq(serviceVersions.serviceId, services.id), eq(serviceVersions.version, services.currentVersion)))
    .where(and(eq(services.triggerType, 'SCHEDULE'), eq(services.isEnabled, true), isNull(services.deletedAt)))
  const due: EnqueueInput[] = []
  for (const { service, definition } of rows) {
    const trigger = (definition as unknown as WorkflowDefinition).trigger
    if (trigger.type !== 'schedule') continue
    if (!service.nextRunAt) {
      await deps.db.update(services).set({ nextRunAt: nextOccurrence(trigger, now) }).where(eq(services.id, service.id))
      continue
    }
    if (service.nextRunAt > now) continue
    const occurrence = service.nextRunAt.toISOString()
    due.push({ service, triggeredBy: 'schedule', triggerData: { scheduledAt: occurrence, cron: trigger.cron, timezone: trigger.timezone }, dedupKey: `schedule:${occurrence}` })
    await deps.db.update(services).set({ nextRunAt: nextOccurrence(trigger, now) }).where(eq(services.id, service.id))
  }
  return (await enqueueExecutions(deps, due)).length
}
