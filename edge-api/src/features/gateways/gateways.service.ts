import { and, desc, eq, isNull } from 'drizzle-orm'
import * as v from 'valibot'
import { GATEWAY_REGISTRY, type CreateGatewayInput, type GatewayType, type PublicGateway } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { gateways } from '../../db/schema/gateways'
import type { Gateway } from '../../db/schema/gateways'
import { newId } from '../../lib/crypto'
import { forgetGatewayStamp } from './gateway-stamps'
import { AppError, notFound } from '../../lib/errors'
import { open, seal } from '../../lib/sealed-box'

export type { Gateway }

/** Never includes credentials: they leave the database only to run a step. */
export function toPublicGateway(row: Gateway): PublicGateway {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    config: row.config,
    status: row.status,
    lastActive: row.lastActive?.toISOString() ?? null,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
  }
}

const listKey = (userId: string) => `gateways-of:${userId}`

/**
 * Whoever changes what the list shows forgets its owner's list, which the row cache keeps
 * otherwise (every UI page reads it); only lastActive, stamped per Telegram message, waits out the cache's 5 s.
 */
export const forgetGatewayList = (deps: AppDeps, userId: string) => deps.rowCache?.invalidate(listKey(userId))

export async function listGateways(deps: AppDeps, userId: string): Promise<Gateway[]> {
  const load = () => deps.db.select().from(gateways).where(and(eq(gateways.userId, userId), isNull(gateways.deletedAt))).orderBy(desc(gateways.createdAt))
  return deps.rowCache ? deps.rowCache.get(listKey(userId), load) : load()
}

export async function findGateway(deps: AppDeps, userId: string, id: string): Promise<Gateway> {
  const [row] = await deps.db.select().from(gateways).where(and(eq(gateways.id, id), eq(gateways.userId, userId), isNull(gateways.deletedAt))).limit(1)
  if (!row) throw notFound('Gateway')
  return row
}

export async function createGateway(deps: AppDeps, userId: string, input: CreateGatewayInput): Promise<Gateway> {
  const now = deps.clock.now()
  const [row] = await deps.db
    .insert(gateways)
    .values({
      id: newId(),
      userId,
      type: input.type,
      name: input.name,
      config: input.config as Record<string, unknown>,
      credentials: await seal(deps.secrets, input.credentials),
      status: 'DISCONNECTED',
      createdAt: now,
      updatedAt: now,
    })
    .returning()
  forgetGatewayList(deps, userId)
  return row!
}

/** Validates a partial update against the gateway's own type. */
export async function updateGateway(
  deps: AppDeps,
  existing: Gateway,
  patch: { name?: string; config?: unknown; credentials?: unknown },
): Promise<Gateway> {
  const entry = GATEWAY_REGISTRY[existing.type as GatewayType]
  const parse = (schema: v.GenericSchema, value: unknown, field: string) => {
    const result = v.safeParse(schema, value)
    if (!result.success) {
      const details = result.issues.map((i) => ({ path: `${field}.${v.getDotPath(i) ?? ''}`.replace(/\.$/, ''), message: i.message }))
      throw new AppError('VALIDATION_FAILED', `Invalid ${details[0]!.path}: ${details[0]!.message}`, details)
    }
    return result.output
  }
  const set: Partial<typeof gateways.$inferInsert> = { updatedAt: deps.clock.now() }
  if (patch.name !== undefined) set.name = patch.name
  if (patch.config !== undefined) set.config = parse(entry.config as v.GenericSchema, patch.config, 'config') as Record<string, unknown>
  if (patch.credentials !== undefined) {
    set.credentials = await seal(deps.secrets, parse(entry.credentials as v.GenericSchema, patch.credentials, 'credentials'))
    // New credentials have not been tested yet.
    set.status = 'DISCONNECTED'
  }
  const [row] = await deps.db.update(gateways).set(set).where(eq(gateways.id, existing.id)).returning()
  forgetGatewayStamp(deps, existing.id)
  forgetGatewayList(deps, existing.userId)
  return row!
}

export async function deleteGateway(deps: AppDeps, existing: Gateway): Promise<void> {
  await deps.db.update(gateways).set({ deletedAt: deps.clock.now(), status: 'DISCONNECTED', updatedAt: deps.clock.now() }).where(eq(gateways.id, existing.id))
  forgetGatewayStamp(deps, existing.id)
  forgetGatewayList(deps, existing.userId)
}

export async function gatewayCredentials<T = Record<string, unknown>>(deps: AppDeps, row: Gateway): Promise<T> {
  return open<T>(deps.secrets, row.credentials)
}
