import { and, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm'
import type { AppDeps } from '../../deps'
import { gateways, services } from '../../db/schema'
import { AppError } from '../../lib/errors'

/**
 * Who a row belongs to: an organization (its pool, its gateways), or else a user personally.
 * Workflows, gateways, installs and workspaces all carry both columns; a reference from one to
 * another is good only between rows of the same owner.
 */
export interface Owner {
  userId: string | null
  organizationId: string | null
}

/** The gateways `owner` may name: an organization's own, or the user's personal ones (never an organization's). */
export function gatewaysOwnedBy(owner: Owner): SQL {
  if (owner.organizationId) return eq(gateways.organizationId, owner.organizationId)
  if (owner.userId) return and(eq(gateways.userId, owner.userId), isNull(gateways.organizationId))!
  return sql`false`
}

/** The workflows that belong to `owner`, by the same rule. */
export function servicesOwnedBy(owner: Owner): SQL {
  if (owner.organizationId) return eq(services.organizationId, owner.organizationId)
  if (owner.userId) return and(eq(services.userId, owner.userId), isNull(services.organizationId))!
  return sql`false`
}

export interface GatewayReference {
  gatewayId: string
  /** Where the body names it, e.g. `definition.steps.2.gatewayId`. */
  path: string
}

/**
 * Every referenced gateway must be a live gateway of `owner`. Another owner's answers exactly as
 * a gateway that does not exist (404 NOT_FOUND naming the field), so nothing says it exists.
 */
export async function assertOwnGateways(deps: AppDeps, owner: Owner, refs: GatewayReference[]): Promise<void> {
  if (refs.length === 0) return
  const ids = [...new Set(refs.map((r) => r.gatewayId))]
  const found = await deps.db
    .select({ id: gateways.id })
    .from(gateways)
    .where(and(inArray(gateways.id, ids), gatewaysOwnedBy(owner), isNull(gateways.deletedAt)))
  const own = new Set(found.map((r) => r.id))
  const missing = refs.filter((r) => !own.has(r.gatewayId)).map((r) => r.path)
  if (missing.length > 0) throw gatewayNotFound(missing)
}

/** The one answer for a gateway id that is not the caller's, whether or not it exists elsewhere. */
export function gatewayNotFound(paths: string[]): AppError {
  return new AppError(
    'NOT_FOUND',
    `Gateway not found: ${paths[0]} names no gateway of yours`,
    paths.map((path) => ({ path, message: 'No gateway of yours has this id; pick one of your gateways' })),
  )
}
