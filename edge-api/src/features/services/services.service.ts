import { and, desc, eq, isNull } from 'drizzle-orm'
import { type PublicService, validateWorkflow, type WorkflowDefinition } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { serviceVersions, services } from '../../db/schema'
import { newId } from '../../lib/crypto'
import { AppError, notFound } from '../../lib/errors'
import { assertOwnGateways } from '../ownership/ownership'
import { gatewayReferences } from '../ownership/definition-references'

export type Service = typeof services.$inferSelect

const TRIGGER_TYPES = { manual: 'MANUAL', schedule: 'SCHEDULE', event: 'EVENT', webhook: 'WEBHOOK' } as const

/** Validates a workflow definition; a 400 names the failing step and field. */
export function parseDefinition(input: unknown): WorkflowDefinition {
  const result = validateWorkflow(input)
  if (result.ok) return result.definition
  const first = result.issues[0]!
  const where = first.stepId ? `step "${first.stepId}" (${first.path})` : first.path || 'definition'
  throw new AppError('VALIDATION_FAILED', `Invalid workflow: ${where}: ${first.message}`, result.issues.map((i) => ({ ...i, path: `definition.${i.path}`.replace(/\.$/, '') })))
}

export function toPublicService(row: Service, definition?: unknown): PublicService {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isEnabled: row.isEnabled,
    triggerType: row.triggerType,
    currentVersion: row.currentVersion,
    status: row.status,
    lastRunAt: row.lastRunAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    ...(definition === undefined ? {} : { definition }),
  }
}

const listKey = (userId: string) => `services-of:${userId}`

/** Whoever changes what the list shows (a write below, a run's lastRunAt) forgets its owner's list, which the row cache keeps otherwise. */
export const forgetServiceList = (deps: AppDeps, userId: string) => deps.rowCache?.invalidate(listKey(userId))

export async function listServices(deps: AppDeps, userId: string): Promise<Service[]> {
  const load = () => deps.db.select().from(services).where(and(eq(services.userId, userId), isNull(services.deletedAt))).orderBy(desc(services.updatedAt))
  return deps.rowCache ? deps.rowCache.get(listKey(userId), load) : load()
}

/** A service of this user, or 404 — never another tenant's. */
export async function findService(deps: AppDeps, userId: string, id: string): Promise<Service> {
  const [row] = await deps.db.select().from(services).where(and(eq(services.id, id), eq(services.userId, userId), isNull(services.deletedAt))).limit(1)
  if (!row) throw notFound('Service')
  return row
}

/**
 * A live service by id alone, for triggers whose capability is the id (webhooks); hot, so it may
 * come from the row cache, which every write below invalidates.
 */
export async function findServiceForTrigger(deps: AppDeps, id: string): Promise<Service | null> {
  const load = async () => (await deps.db.select().from(services).where(and(eq(services.id, id), isNull(services.deletedAt))).limit(1))[0] ?? null
  return deps.rowCache ? deps.rowCache.get(`service:${id}`, load) : load()
}

/**
 * findService for the hot reads that need only the service's id and owner (its executions list):
 * the row may come from the row cache, as for triggers.
 */
export async function findServiceToRead(deps: AppDeps, userId: string, id: string): Promise<Service> {
  const row = await findServiceForTrigger(deps, id)
  if (!row || row.userId !== userId) throw notFound('Service')
  return row
}

const forgetService = (deps: AppDeps, service: { id: string; userId: string }) => {
  deps.rowCache?.invalidate(`service:${service.id}`)
  forgetServiceList(deps, service.userId)
}

/** A version's definition; versions are immutable, so it may come from process memory. */
export async function findVersion(deps: AppDeps, serviceId: string, version: number): Promise<WorkflowDefinition> {
  const load = async () => {
    const [row] = await deps.db
      .select({ definition: serviceVersions.definition })
      .from(serviceVersions)
      .where(and(eq(serviceVersions.serviceId, serviceId), eq(serviceVersions.version, version)))
      .limit(1)
    if (!row) throw notFound('Service version')
    return row.definition as unknown as WorkflowDefinition
  }
  return deps.memo ? deps.memo.get(`version:${serviceId}:${version}`, load) : load()
}

export async function createService(deps: AppDeps, userId: string, input: { name: string; description?: string | null; definition: unknown }): Promise<{ service: Service; definition: WorkflowDefinition }> {
  const definition = parseDefinition(input.definition)
  await assertOwnGateways(deps, { userId, organizationId: null }, gatewayReferences(definition))
  const now = deps.clock.now()
  const id = newId()
  const service = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(services)
      .values({ id, userId, name: input.name, description: input.description ?? null, triggerType: TRIGGER_TYPES[definition.trigger.type], currentVersion: 1, createdAt: now, updatedAt: now })
      .returning()
    await tx.insert(serviceVersions).values({ id: newId(), serviceId: id, version: 1, definition: definition as unknown as Record<string, unknown>, createdById: userId, createdAt: now })
    return row!
  })
  forgetServiceList(deps, userId)
  return { service, definition }
}

/** Name/description change in place; a new definition becomes a new immutable version. */
export async function updateService(
  deps: AppDeps,
  existing: Service,
  patch: { name?: string; description?: string | null; definition?: unknown },
): Promise<Service> {
  const definition = patch.definition === undefined ? undefined : parseDefinition(patch.definition)
  if (definition) await assertOwnGateways(deps, existing, gatewayReferences(definition))
  const now = deps.clock.now()
  const updated = await deps.db.transaction(async (tx) => {
    const version = definition ? existing.currentVersion + 1 : existing.currentVersion
    if (definition) {
      await tx.insert(serviceVersions).values({ id: newId(), serviceId: existing.id, version, definition: definition as unknown as Record<string, unknown>, createdById: existing.userId, createdAt: now })
    }
    const [row] = await tx
      .update(services)
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(definition ? { currentVersion: version, triggerType: TRIGGER_TYPES[definition.trigger.type] } : {}),
        updatedAt: now,
      })
      .where(eq(services.id, existing.id))
      .returning()
    return row!
  })
  forgetService(deps, existing)
  return updated
}

export async function listVersions(deps: AppDeps, serviceId: string) {
  return deps.db
    .select({ version: serviceVersions.version, createdAt: serviceVersions.createdAt })
    .from(serviceVersions)
    .where(eq(serviceVersions.serviceId, serviceId))
    .orderBy(desc(serviceVersions.version))
}

export async function setEnabled(deps: AppDeps, existing: Service, isEnabled: boolean): Promise<Service> {
  const [row] = await deps.db.update(services).set({ isEnabled, updatedAt: deps.clock.now() }).where(eq(services.id, existing.id)).returning()
  forgetService(deps, existing)
  return row!
}

export async function deleteService(deps: AppDeps, existing: Service): Promise<void> {
  await deps.db.update(services).set({ deletedAt: deps.clock.now(), isEnabled: false }).where(eq(services.id, existing.id))
  forgetService(deps, existing)
}
