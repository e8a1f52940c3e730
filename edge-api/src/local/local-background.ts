import type { AppDeps } from '../deps'
import { reapExpiredLeases, workspacesWithQueuedWork } from '../features/runtime/runtime.service'
import { gatewayCredentials } from '../features/gateways/gateways.service'
import { connectedTelegramBots } from '../features/telegram/telegram-ingest.service'
import { telegramWebhookSecret } from '../features/telegram/webhook-secret'
import { runDueSchedules } from '../features/schedules/schedules.service'
import { issueWorkspaceToken } from '../features/workspaces/workspaces.service'
import { createWorkspaceLifecycle, markAwake, type LifecycleOptions } from '../features/workspaces/workspace-lifecycle'

/**
 * The embedded mode's background duties (QStash schedules and a cron do this in the cloud):
 * start due scheduled runs, hand jobs of silent runtimes back to the queue, and make sure every
 * workspace with queued work has a runtime — after a platform restart too.
 */
/** The embedded queue's consumers: what QStash delivers to /api/queue/* in the cloud. */
function registerQueueHandlers(deps: AppDeps): void {
  const queue = deps.queue as Partial<{ on(topic: string, handler: (body: unknown) => Promise<void>): void }>
  queue.on?.('execution.queued', async (body) => {
    const { workspaceId } = body as { workspaceId: string }
    await deps.workspaces.ensureRunning(workspaceId, () => issueWorkspaceToken(deps, workspaceId))
    await markAwake(deps, workspaceId)
  })
}

/** Database upkeep the background runs now and then (PGlite's VACUUM), `everyMs` apart, the first `everyMs` after start. */
export interface Maintenance {
  run(): Promise<void>
  everyMs: number
}

/** How often the embedded database is vacuumed: often enough that a day of runs reuses its space, rarely enough to cost nothing. */
export const MAINTENANCE_EVERY_MS = 10 * 60_000

export function startLocalBackground(deps: AppDeps, intervalMs = 2000, lifecycleOptions: LifecycleOptions = {}, maintenance?: Maintenance): { stop(): Promise<void> } {
  let busy = false
  let maintainedAt = Date.now()
  let current: Promise<void> = Promise.resolve()
  // Crashed runtimes, usage samples and alerts, idle sleep.
  const lifecycle = createWorkspaceLifecycle(deps, lifecycleOptions)
  registerQueueHandlers(deps)
  const tick = async () => {
    if (busy) return
    busy = true
    try {
      await runDueSchedules(deps)
      // Nudges to wake a workspace (execution.queued), when no runtime was waiting for the run.
      await deps.queue.drain?.()
      const reaped = await reapExpiredLeases(deps)
      if (reaped.requeued || reaped.dead) deps.logger.log('warn', 'reaped expired job leases', reaped)
      for (const workspaceId of await workspacesWithQueuedWork(deps)) {
        await deps.workspaces.ensureRunning(workspaceId, () => issueWorkspaceToken(deps, workspaceId))
      }
      await lifecycle.tick()
      if (maintenance && Date.now() - maintainedAt >= maintenance.everyMs) {
        maintainedAt = Date.now()
        await maintenance.run()
      }
    } catch (err) {
      deps.logger.log('error', 'background tick failed', { error: err })
    } finally {
      busy = false
    }
  }
  // Bots that were connected before a restart start receiving again.
  void (async () => {
    for (const bot of await connectedTelegramBots(deps)) {
      const { botToken } = await gatewayCredentials<{ botToken: string }>(deps, bot)
      await deps.telegramUpdates?.connect(bot, botToken, await telegramWebhookSecret(deps.secrets, bot.id)).catch((err: unknown) => deps.logger.log('warn', 'telegram reconnect failed', { gatewayId: bot.id, error: err }))
    }
  })()
  const run = () => {
    if (!busy) current = tick()
  }
  const timer = setInterval(run, intervalMs)
  timer.unref()
  run()
  return {
    // Resolves once a tick in flight is done, so the database can close under nobody.
    stop: () => {
      clearInterval(timer)
      return current
    },
  }
}
