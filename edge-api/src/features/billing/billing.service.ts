import { and, count, desc, eq, isNull } from 'drizzle-orm'
import { PLUGINS_PER_PLAN, type PublicPlan, type PublicSubscription, type SubscribeResult, USER_PLANS } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { userInstalls, workspaceUsageSamples, workspaces } from '../../db/schema'
import { AppError } from '../../lib/errors'
import { changeUserPlan } from '../workspaces/workspace-lifecycle'
import { USER_WORKSPACE_PLANS, type UserPlan } from '../workspaces/workspace-plans'

const PLANS: PublicPlan[] = USER_PLANS.map((name) => {
  const { memoryMb, cpus, storageMb, idleMinutes, keepAliveAllowed } = USER_WORKSPACE_PLANS[name]
  return { name, memoryMb, cpus, storageMb, idleMinutes, keepAliveAllowed, pluginsAllowed: PLUGINS_PER_PLAN[name] }
})

/**
 * Whether plans may change on this deployment. The local provider switches for free, which is
 * only right in the embedded app; in cloud mode it is refused even if someone wired it there.
 */
export function canSwitchPlans(deps: AppDeps): boolean {
  return deps.billing.changePlan !== undefined && (deps.billing.provider !== 'local' || deps.config.mode === 'local')
}

export function describeSubscription(deps: AppDeps, plan: UserPlan): PublicSubscription {
  return { plan, provider: deps.billing.provider, canSwitch: canSwitchPlans(deps), plans: PLANS }
}

/**
 * Moves the user to `to` through the billing provider: the users row changes and a running
 * workspace is resized to the new limits (queued runs wait in Postgres meanwhile). The same plan is
 * a no-op. A downgrade below what the user has is allowed; the answer lists what is over the limit.
 */
export async function subscribe(deps: AppDeps, user: { id: string; plan: UserPlan }, to: UserPlan): Promise<SubscribeResult> {
  if (user.plan === to) return { subscription: describeSubscription(deps, to), changed: false, warnings: [] }
  const { billing } = deps
  if (!billing.changePlan || !canSwitchPlans(deps)) {
    throw new AppError('CONFLICT', 'Payments are not set up on this deployment, so the plan cannot change', { code: 'BILLING_NOT_CONFIGURED', provider: billing.provider })
  }
  await billing.changePlan({ userId: user.id, from: user.plan, to, apply: () => changeUserPlan(deps, user.id, to) })
  return { subscription: describeSubscription(deps, to), changed: true, warnings: await overLimits(deps, user.id, to) }
}

/** What the user has beyond `plan`'s limits: installed plugins, keep-alive, and the storage last measured. */
async function overLimits(deps: AppDeps, userId: string, plan: UserPlan): Promise<string[]> {
  const warnings: string[] = []
  const limits = USER_WORKSPACE_PLANS[plan]
  const pluginsAllowed = PLUGINS_PER_PLAN[plan]
  if (pluginsAllowed !== null) {
    const [{ installed } = { installed: 0 }] = await deps.db
      .select({ installed: count() })
      .from(userInstalls)
      .where(and(eq(userInstalls.userId, userId), isNull(userInstalls.organizationId), eq(userInstalls.itemType, 'PLUGIN'), isNull(userInstalls.deletedAt)))
    if (installed > pluginsAllowed) {
      warnings.push(`You have ${installed} plugins; ${plan} allows ${pluginsAllowed}. Uninstall ${installed - pluginsAllowed} before installing another.`)
    }
  }
  const [workspace] = await deps.db.select({ id: workspaces.id, keepAlive: workspaces.keepAlive }).from(workspaces).where(eq(workspaces.userId, userId)).limit(1)
  if (!workspace) return warnings
  if (workspace.keepAlive && !limits.keepAliveAllowed) {
    warnings.push(`${plan} has no keep-alive: your workspace sleeps after ${limits.idleMinutes} idle minutes.`)
  }
  const [sample] = await deps.db
    .select({ storageBytes: workspaceUsageSamples.storageBytes })
    .from(workspaceUsageSamples)
    .where(eq(workspaceUsageSamples.workspaceId, workspace.id))
    .orderBy(desc(workspaceUsageSamples.sampledAt))
    .limit(1)
  const usedMb = (sample?.storageBytes ?? 0) / 2 ** 20
  if (usedMb > limits.storageMb) {
    warnings.push(`Your workspace stores ${Math.ceil(usedMb)} MB; ${plan} allows ${limits.storageMb} MB.`)
  }
  return warnings
}
