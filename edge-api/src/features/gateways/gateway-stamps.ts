import { and, eq, inArray, isNull } from 'drizzle-orm'
import type { LeasedJob, WorkflowStep } from '@2bot/contracts'
import { gateways, type Workspace } from '../../db/schema'
import type { AppDeps } from '../../deps'

/**
 * A gateway's stamp is its last write (`updatedAt`): a runtime keeps a gateway's client and
 * credentials across runs for as long as the stamp a lease hands it stays the same, so a run
 * costs no credentials round trip, and a change (new key, new config, deletion) is seen by the
 * very next run. Stamps are only given for gateways of the workspace's owner.
 */
const stampKey = (id: string) => `gateway-stamp:${id}`

/** Whoever writes a gateway row forgets its stamp. */
export const forgetGatewayStamp = (deps: AppDeps, id: string) => deps.rowCache?.invalidate(stampKey(id))

function gatewaysOf(steps: readonly WorkflowStep[], into = new Set<string>()): Set<string> {
  for (const step of steps) {
    if ('gatewayId' in step && typeof step.gatewayId === 'string') into.add(step.gatewayId)
    if (step.type === 'loop') gatewaysOf(step.steps, into)
  }
  return into
}

type Stamp = { ownerKey: string; stamp: string } | null

async function stampsOf(deps: AppDeps, workspace: Workspace, ids: string[]): Promise<Record<string, string>> {
  const ownerKey = workspace.userId ? `user:${workspace.userId}` : `org:${workspace.organizationId}`
  const owner = workspace.userId ? eq(gateways.userId, workspace.userId) : workspace.organizationId ? eq(gateways.organizationId, workspace.organizationId) : undefined
  if (!owner || ids.length === 0) return {}
  const load = async (missing: string[]) => {
    const rows = await deps.db
      .select({ id: gateways.id, updatedAt: gateways.updatedAt, userId: gateways.userId, organizationId: gateways.organizationId })
      .from(gateways)
      .where(and(inArray(gateways.id, missing), owner, isNull(gateways.deletedAt)))
    return new Map(rows.map((r) => [r.id, String(r.updatedAt.getTime())]))
  }
  const out: Record<string, string> = {}
  const cache = deps.rowCache
  if (!cache) {
    for (const [id, stamp] of await load(ids)) out[id] = stamp
    return out
  }
  for (const id of ids) {
    const entry = await cache.get<Stamp>(stampKey(id), async () => {
      const stamp = (await load([id])).get(id)
      return stamp ? { ownerKey, stamp } : null
    })
    if (entry && entry.ownerKey === ownerKey) out[id] = entry.stamp
  }
  return out
}

/** Adds to each leased job the stamps of the gateways its workflow names. */
export async function withGatewayStamps(deps: AppDeps, workspace: Workspace, leased: LeasedJob[]): Promise<LeasedJob[]> {
  return Promise.all(
    leased.map(async (job) => {
      const steps = (job.definition as { steps?: WorkflowStep[] } | null)?.steps ?? []
      return { ...job, gatewayStamps: await stampsOf(deps, workspace, [...gatewaysOf(steps)]) }
    }),
  )
}
