import { and, inArray, isNull } from 'drizzle-orm'
import type { LeasedJob, WorkflowDefinition } from '@2bot/contracts'
import { gateways, type Workspace } from '../../db/schema'
import type { AppDeps } from '../../deps'
import { gatewayReferences } from '../ownership/definition-references'
import { gatewaysOwnedBy } from '../ownership/ownership'

/**
 * A gateway's stamp is its last write (`updatedAt`): a runtime keeps a gateway's client and
 * credentials across runs for as long as the stamp a lease hands it stays the same, so a run
 * costs no credentials round trip, and a change (new key, new config, deletion) is seen by the
 * very next run. Stamps are only given for gateways of the workspace's owner (gatewaysOwnedBy).
 */
const stampKey = (id: string) => `gateway-stamp:${id}`

/** Whoever writes a gateway row forgets its stamp. */
export const forgetGatewayStamp = (deps: AppDeps, id: string) => deps.rowCache?.invalidate(stampKey(id))

type Stamp = { ownerKey: string; stamp: string } | null

async function stampsOf(deps: AppDeps, workspace: Workspace, ids: string[]): Promise<Record<string, string>> {
  if (ids.length === 0) return {}
  // The owner rule of every reference (features/ownership), so a stamp is given exactly for the gateways the runtime may fetch.
  const ownerKey = workspace.organizationId ? `org:${workspace.organizationId}` : `user:${workspace.userId}`
  const load = async (missing: string[]) => {
    const rows = await deps.db
      .select({ id: gateways.id, updatedAt: gateways.updatedAt })
      .from(gateways)
      .where(and(inArray(gateways.id, missing), gatewaysOwnedBy(workspace), isNull(gateways.deletedAt)))
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
      // A stored definition the current schema no longer reads gets no stamps: the runtime fails its run saying so.
      const definition = job.definition as WorkflowDefinition | null
      const refs = definition?.trigger && Array.isArray(definition.steps) ? gatewayReferences(definition) : []
      const ids = new Set(refs.map((r) => r.gatewayId))
      return { ...job, gatewayStamps: await stampsOf(deps, workspace, [...ids]) }
    }),
  )
}
