import { desc, eq } from 'drizzle-orm'
import type { UsageReportBody } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { workspaceUsageSamples } from '../../db/schema'
import { recordUsage } from './workspace-lifecycle'
import { workspaceLimits } from './workspace-limits'

/** A runtime reports about once a minute; closer reports are dropped, so none can flood the samples. */
export const MIN_REPORT_GAP_MS = 30_000

/**
 * A usage sample the runtime reports about itself, for homes whose platform cannot read the
 * container (Nomad from a Worker). Stored and alerted on like a driver's; the limits are the plan's.
 */
export async function recordReportedUsage(deps: AppDeps, workspaceId: string, report: UsageReportBody): Promise<{ recorded: boolean }> {
  const [last] = await deps.db
    .select({ at: workspaceUsageSamples.sampledAt })
    .from(workspaceUsageSamples)
    .where(eq(workspaceUsageSamples.workspaceId, workspaceId))
    .orderBy(desc(workspaceUsageSamples.sampledAt))
    .limit(1)
  if (last && deps.clock.now().getTime() - last.at.getTime() < MIN_REPORT_GAP_MS) return { recorded: false }
  const limits = await workspaceLimits(deps.db, workspaceId)
  await recordUsage(deps, workspaceId, {
    ...report,
    memoryLimitBytes: report.memoryLimitBytes ?? limits.memoryMb * 2 ** 20,
    cpuLimitCores: limits.cpus,
    // The runtime keeps nothing on its own filesystem; what it stores lives with the platform.
    storageBytes: 0,
  })
  return { recorded: true }
}
