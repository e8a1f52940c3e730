import type { WorkspaceLimits } from '../../adapters/workspace/workspace-driver.port'

export type UserPlan = 'FREE' | 'STARTER' | 'PRO' | 'BUSINESS' | 'ENTERPRISE'
export type OrgPlan = 'ORG_STARTER' | 'ORG_GROWTH' | 'ORG_PRO' | 'ORG_BUSINESS' | 'ORG_ENTERPRISE'

export interface WorkspacePlan extends WorkspaceLimits {
  storageMb: number
  /** Minutes without work before the workspace sleeps. */
  idleMinutes: number
  /** Paid tiers may keep the workspace awake. */
  keepAliveAllowed: boolean
}

/** The roadmap's workspace resources per plan ("Plan Limits Configuration"). */
export const USER_WORKSPACE_PLANS: Record<UserPlan, WorkspacePlan> = {
  FREE: { memoryMb: 512, cpus: 0.5, storageMb: 100, idleMinutes: 15, keepAliveAllowed: false },
  STARTER: { memoryMb: 1024, cpus: 1, storageMb: 1024, idleMinutes: 30, keepAliveAllowed: true },
  PRO: { memoryMb: 2048, cpus: 2, storageMb: 5120, idleMinutes: 60, keepAliveAllowed: true },
  BUSINESS: { memoryMb: 4096, cpus: 4, storageMb: 20480, idleMinutes: 60, keepAliveAllowed: true },
  ENTERPRISE: { memoryMb: 8192, cpus: 8, storageMb: 102400, idleMinutes: 60, keepAliveAllowed: true },
}

/**
 * An organization's workspace is one pool ("Total RAM/CPU Pool" of its plan); departments share it
 * with soft quotas (see departmentSoftQuota).
 */
export const ORG_WORKSPACE_PLANS: Record<OrgPlan, WorkspacePlan> = {
  ORG_STARTER: { memoryMb: 4096, cpus: 2, storageMb: 10240, idleMinutes: 60, keepAliveAllowed: true },
  ORG_GROWTH: { memoryMb: 8192, cpus: 4, storageMb: 25600, idleMinutes: 60, keepAliveAllowed: true },
  ORG_PRO: { memoryMb: 16384, cpus: 8, storageMb: 51200, idleMinutes: 60, keepAliveAllowed: true },
  ORG_BUSINESS: { memoryMb: 32768, cpus: 16, storageMb: 102400, idleMinutes: 60, keepAliveAllowed: true },
  ORG_ENTERPRISE: { memoryMb: 65536, cpus: 32, storageMb: 204800, idleMinutes: 60, keepAliveAllowed: true },
}

export function workspacePlan(plan: UserPlan | OrgPlan): WorkspacePlan {
  return plan in USER_WORKSPACE_PLANS ? USER_WORKSPACE_PLANS[plan as UserPlan] : ORG_WORKSPACE_PLANS[plan as OrgPlan]
}

/**
 * A department's soft share of its organization's pool: an even split, at least 256 MB. Soft:
 * the container enforces only the pool; a department over its share gets an alert, not a kill.
 */
export function departmentSoftQuota(pool: WorkspaceLimits, departments: number): WorkspaceLimits {
  const n = Math.max(1, departments)
  return { memoryMb: Math.max(256, Math.floor(pool.memoryMb / n)), cpus: Math.round((pool.cpus / n) * 100) / 100 }
}

/** Thresholds of usage (share of the limit) that notify the owner, lowest first. */
export const USAGE_ALERT_THRESHOLDS = [70, 85, 95] as const
