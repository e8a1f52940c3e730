import { eq } from 'drizzle-orm'
import type { WorkspaceLimits } from '../../adapters/workspace/workspace-driver.port'
import type { Db } from '../../db/db'
import { organizations, users, workspaces } from '../../db/schema'
import { workspacePlan, type WorkspacePlan } from './workspace-plans'

export interface WorkspacePlanInfo extends WorkspacePlan {
  plan: string
}

/**
 * The plan a workspace runs under: its user's plan, or for an organization's workspace the
 * organization's pool (the organization row's totals, which the plan sets and may raise).
 */
export async function planOfWorkspace(db: Db, workspaceId: string): Promise<WorkspacePlanInfo> {
  const [row] = await db
    .select({ userPlan: users.plan, orgPlan: organizations.plan, orgRamMb: organizations.totalRamMb, orgCpus: organizations.totalCpuCores, orgStorageMb: organizations.totalStorageMb })
    .from(workspaces)
    .leftJoin(users, eq(users.id, workspaces.userId))
    .leftJoin(organizations, eq(organizations.id, workspaces.organizationId))
    .where(eq(workspaces.id, workspaceId))
    .limit(1)
  if (row?.orgPlan) {
    return { plan: row.orgPlan, ...workspacePlan(row.orgPlan), memoryMb: row.orgRamMb ?? 4096, cpus: row.orgCpus ?? 2, storageMb: row.orgStorageMb ?? 10240 }
  }
  const plan = row?.userPlan ?? 'FREE'
  return { plan, ...workspacePlan(plan) }
}

/** Memory and CPU for the workspace's container, from its plan. */
export async function workspaceLimits(db: Db, workspaceId: string): Promise<WorkspaceLimits> {
  const { memoryMb, cpus } = await planOfWorkspace(db, workspaceId)
  return { memoryMb, cpus }
}
