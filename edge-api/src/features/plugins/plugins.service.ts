import { and, count, eq, isNull, sql } from 'drizzle-orm'
import { checkPluginConfig, type GatewayType, PLUGIN_LIMITS, PLUGINS_PER_PLAN, type PublicInstalledPlugin, type RuntimePlugin } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { gateways, marketplaceItems, userInstalls, type UserInstall, type User, type Workspace } from '../../db/schema'
import { newId } from '../../lib/crypto'
import { AppError, notFound } from '../../lib/errors'
import { gatewayNotFound, gatewaysOwnedBy } from '../ownership/ownership'
import { findPluginItem, listPluginItems, toPublicPlugin, type PluginItem } from './plugin-catalog'

const PLAN_RANK = { FREE: 0, STARTER: 1, PRO: 2, BUSINESS: 3, ENTERPRISE: 4 } as const

type Installed = { install: UserInstall; item: PluginItem }

function toPublicInstalled({ install, item }: Installed): PublicInstalledPlugin {
  return {
    ...toPublicPlugin(item),
    installId: install.id,
    enabled: install.isEnabled,
    config: install.config,
    gatewayBindings: install.gatewayBindings as Partial<Record<GatewayType, string>>,
    stateBytes: install.state ? new TextEncoder().encode(JSON.stringify(install.state)).length : 0,
    installedAt: install.createdAt.toISOString(),
  }
}

/** The user's plugins (personal installs), newest first. */
export async function listInstalledPlugins(deps: AppDeps, userId: string): Promise<PublicInstalledPlugin[]> {
  const items = new Map((await listPluginItems(deps)).map((i) => [i.id, i]))
  const rows = await deps.db
    .select()
    .from(userInstalls)
    .where(and(eq(userInstalls.userId, userId), isNull(userInstalls.organizationId), eq(userInstalls.itemType, 'PLUGIN'), isNull(userInstalls.deletedAt)))
    .orderBy(sql`${userInstalls.createdAt} desc`)
  return rows.flatMap((install) => {
    const item = items.get(install.itemId)
    return item ? [toPublicInstalled({ install, item })] : []
  })
}

async function findInstalled(deps: AppDeps, userId: string, slug: string): Promise<Installed> {
  const item = await findPluginItem(deps, slug)
  const [install] = await deps.db
    .select()
    .from(userInstalls)
    .where(and(eq(userInstalls.userId, userId), isNull(userInstalls.organizationId), eq(userInstalls.itemId, item.id), isNull(userInstalls.deletedAt)))
    .limit(1)
  if (!install) throw notFound('Installed plugin')
  return { install, item }
}

/** The config checked against the plugin's fields, defaults filled in; 400 naming each bad field. */
function checkedConfig(item: PluginItem, config: Record<string, unknown>): Record<string, unknown> {
  const checked = checkPluginConfig(item.manifest.configFields, config)
  if (checked.ok) return checked.config
  const [first] = checked.issues
  throw new AppError('VALIDATION_FAILED', `Invalid config: ${first!.path}: ${first!.message}`, checked.issues)
}

/** Each binding names one of the user's gateways of a type the plugin calls. */
async function checkedBindings(deps: AppDeps, userId: string, item: PluginItem, bindings: Partial<Record<GatewayType, string>>): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const [type, gatewayId] of Object.entries(bindings) as [GatewayType, string][]) {
    if (!item.manifest.gateways.includes(type)) {
      throw new AppError('VALIDATION_FAILED', `${item.name} does not use a ${type} gateway`, [{ path: `gateways.${type}`, message: 'This plugin does not use this gateway type' }])
    }
    const [row] = await deps.db
      .select({ type: gateways.type })
      .from(gateways)
      .where(and(eq(gateways.id, gatewayId), gatewaysOwnedBy({ userId, organizationId: null }), isNull(gateways.deletedAt)))
      .limit(1)
    // Another owner's gateway answers exactly as one that does not exist.
    if (!row) throw gatewayNotFound([`gateways.${type}`])
    if (row.type !== type) {
      throw new AppError('VALIDATION_FAILED', `Gateway ${gatewayId} is not a ${type} gateway`, [{ path: `gateways.${type}`, message: `Pick one of your ${type} gateways` }])
    }
    out[type] = gatewayId
  }
  return out
}

export async function installPlugin(
  deps: AppDeps,
  user: Pick<User, 'id' | 'plan'>,
  slug: string,
  input: { config: Record<string, unknown>; gateways: Partial<Record<GatewayType, string>> },
): Promise<PublicInstalledPlugin> {
  const item = await findPluginItem(deps, slug)
  if (PLAN_RANK[user.plan] < PLAN_RANK[item.minPlanRequired]) {
    throw new AppError('FORBIDDEN', `${item.name} needs the ${item.minPlanRequired} plan or higher`, { code: 'PLAN_REQUIRED', plan: item.minPlanRequired })
  }
  const config = checkedConfig(item, input.config)
  const gatewayBindings = await checkedBindings(deps, user.id, item, input.gateways)
  return deps.db.transaction(async (tx) => {
    // Counted and inserted in one transaction, under the user's row lock, so two installs at once cannot pass the plan's limit together.
    await tx.execute(sql`select id from users where id = ${user.id} for update`)
    const mine = and(eq(userInstalls.userId, user.id), isNull(userInstalls.organizationId), eq(userInstalls.itemType, 'PLUGIN'), isNull(userInstalls.deletedAt))
    const [existing] = await tx.select({ id: userInstalls.id }).from(userInstalls).where(and(mine, eq(userInstalls.itemId, item.id))).limit(1)
    if (existing) throw new AppError('CONFLICT', `${item.name} is already installed`)
    const limit = PLUGINS_PER_PLAN[user.plan]
    const [{ installed } = { installed: 0 }] = await tx.select({ installed: count() }).from(userInstalls).where(mine)
    if (limit !== null && installed >= limit) {
      throw new AppError('FORBIDDEN', `The ${user.plan} plan allows ${limit} plugins; uninstall one or upgrade`, { code: 'PLAN_LIMIT', limit })
    }
    const now = deps.clock.now()
    const [install] = await tx
      .insert(userInstalls)
      .values({ id: newId(), userId: user.id, itemId: item.id, itemType: 'PLUGIN', config, gatewayBindings, createdAt: now, updatedAt: now })
      .returning()
    await tx.update(marketplaceItems).set({ installCount: sql`${marketplaceItems.installCount} + 1` }).where(eq(marketplaceItems.id, item.id))
    return toPublicInstalled({ install: install!, item })
  })
}

/** Soft delete: the install's stored data goes with it; a later install starts afresh. */
export async function uninstallPlugin(deps: AppDeps, userId: string, slug: string): Promise<Installed> {
  const found = await findInstalled(deps, userId, slug)
  await deps.db.transaction(async (tx) => {
    await tx.update(userInstalls).set({ deletedAt: deps.clock.now(), state: null }).where(eq(userInstalls.id, found.install.id))
    await tx.update(marketplaceItems).set({ installCount: sql`greatest(${marketplaceItems.installCount} - 1, 0)` }).where(eq(marketplaceItems.id, found.item.id))
  })
  return found
}

export async function updateInstalledPlugin(
  deps: AppDeps,
  userId: string,
  slug: string,
  change: { config?: Record<string, unknown>; gateways?: Partial<Record<GatewayType, string>>; enabled?: boolean },
): Promise<PublicInstalledPlugin> {
  const found = await findInstalled(deps, userId, slug)
  const set: Partial<UserInstall> = { updatedAt: deps.clock.now() }
  if (change.config) set.config = checkedConfig(found.item, change.config)
  if (change.gateways) set.gatewayBindings = await checkedBindings(deps, userId, found.item, change.gateways)
  if (change.enabled !== undefined) set.isEnabled = change.enabled
  const [install] = await deps.db.update(userInstalls).set(set).where(eq(userInstalls.id, found.install.id)).returning()
  return toPublicInstalled({ install: install!, item: found.item })
}

/** Installs a workspace's runtime may use: its user's personal ones, or for an organization's pool the organization's. */
function ownedBy(workspace: Pick<Workspace, 'userId' | 'organizationId'>) {
  if (workspace.userId) return and(eq(userInstalls.userId, workspace.userId), isNull(userInstalls.organizationId))
  if (workspace.organizationId) return eq(userInstalls.organizationId, workspace.organizationId)
  return sql`false`
}

async function workspaceInstall(deps: AppDeps, workspace: Pick<Workspace, 'userId' | 'organizationId'>, slug: string) {
  const [row] = await deps.db
    .select({ install: userInstalls, item: marketplaceItems })
    .from(userInstalls)
    .innerJoin(marketplaceItems, eq(marketplaceItems.id, userInstalls.itemId))
    .where(and(eq(marketplaceItems.slug, slug), eq(userInstalls.itemType, 'PLUGIN'), ownedBy(workspace), isNull(userInstalls.deletedAt)))
    .limit(1)
  if (!row) throw new AppError('NOT_FOUND', `The plugin "${slug}" is not installed`, { code: 'PLUGIN_NOT_INSTALLED' })
  if (!row.install.isEnabled) throw new AppError('CONFLICT', `The plugin "${slug}" is disabled`, { code: 'PLUGIN_DISABLED' })
  return row
}

/** What a runtime loads to run a plugin step: source, config and gateway bindings, never another tenant's. */
export async function runtimePlugin(deps: AppDeps, workspace: Pick<Workspace, 'userId' | 'organizationId'>, slug: string): Promise<RuntimePlugin> {
  const { install, item } = await workspaceInstall(deps, workspace, slug)
  const manifest = item.config as { source: string }
  return { installId: install.id, slug: item.slug, version: item.version, source: manifest.source, config: install.config, gatewayBindings: install.gatewayBindings }
}

/**
 * A plugin's key-value storage (the install's `state`). A write is one UPDATE, so concurrent
 * writes to different keys never lose each other, and it is refused past the storage cap.
 */
export async function pluginStorage(
  deps: AppDeps,
  workspace: Pick<Workspace, 'userId' | 'organizationId'>,
  slug: string,
  op: { op: 'get' | 'delete'; key: string } | { op: 'set'; key: string; value: unknown },
): Promise<{ value: unknown }> {
  const { install } = await workspaceInstall(deps, workspace, slug)
  if (op.op === 'get') return { value: install.state?.[op.key] ?? null }
  const next =
    op.op === 'set'
      ? sql`coalesce(${userInstalls.state}, '{}'::jsonb) || jsonb_build_object(${op.key}::text, ${JSON.stringify(op.value ?? null)}::jsonb)`
      : sql`coalesce(${userInstalls.state}, '{}'::jsonb) - ${op.key}::text`
  const updated = await deps.db
    .update(userInstalls)
    .set({ state: next })
    .where(and(eq(userInstalls.id, install.id), sql`octet_length((${next})::text) <= ${PLUGIN_LIMITS.maxStateBytes}`))
    .returning({ id: userInstalls.id })
  if (updated.length === 0) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The plugin's storage is full (${PLUGIN_LIMITS.maxStateBytes / 1024} KB)`, { code: 'PLUGIN_STORAGE_FULL' })
  }
  return { value: op.op === 'set' ? (op.value ?? null) : null }
}
