import { and, eq, sql } from 'drizzle-orm'
import * as v from 'valibot'
import { PluginManifest, type PublicPlugin } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { marketplaceCategories, marketplaceItems, type MarketplaceItem } from '../../db/schema'
import { newId } from '../../lib/crypto'
import { notFound } from '../../lib/errors'
import { BUILTIN_PLUGINS } from './builtin'

export type PluginItem = MarketplaceItem & { manifest: PluginManifest; category: string | null }

const synced = new WeakMap<AppDeps, Promise<void>>()

/**
 * Puts the built-in plugins in the catalog, once per process (or Worker isolate) and database: a
 * new plugin is inserted, a changed version updates its row. Both homes run it on first use, so
 * the catalog needs no seed step.
 */
export function ensureCatalog(deps: AppDeps): Promise<void> {
  let done = synced.get(deps)
  if (!done) {
    done = syncBuiltins(deps).catch((err: unknown) => {
      synced.delete(deps)
      throw err
    })
    synced.set(deps, done)
  }
  return done
}

async function syncBuiltins(deps: AppDeps): Promise<void> {
  const categories = [...new Set(BUILTIN_PLUGINS.map((p) => p.category))]
  await deps.db
    .insert(marketplaceCategories)
    .values(categories.map((name, i) => ({ id: newId(), type: 'PLUGIN' as const, slug: name.toLowerCase(), name, sortOrder: i })))
    .onConflictDoNothing()
  const rows = await deps.db.select().from(marketplaceCategories).where(eq(marketplaceCategories.type, 'PLUGIN'))
  const categoryId = new Map(rows.map((r) => [r.name, r.id]))
  for (const plugin of BUILTIN_PLUGINS) {
    const values = {
      slug: plugin.slug,
      type: 'PLUGIN' as const,
      name: plugin.name,
      description: plugin.description,
      categoryId: categoryId.get(plugin.category) ?? null,
      version: plugin.version,
      author: '2Bot',
      isOfficial: true,
      config: v.parse(PluginManifest, plugin.manifest) as unknown as Record<string, unknown>,
    }
    await deps.db
      .insert(marketplaceItems)
      .values({ id: newId(), ...values })
      .onConflictDoUpdate({
        target: marketplaceItems.slug,
        set: { ...values, updatedAt: deps.clock.now() },
        setWhere: sql`${marketplaceItems.version} <> excluded.version`,
      })
  }
}

function toPluginItem(row: MarketplaceItem, category: string | null): PluginItem {
  return { ...row, category, manifest: v.parse(PluginManifest, row.config) }
}

export async function listPluginItems(deps: AppDeps): Promise<PluginItem[]> {
  await ensureCatalog(deps)
  const rows = await deps.db
    .select({ item: marketplaceItems, category: marketplaceCategories.name })
    .from(marketplaceItems)
    .leftJoin(marketplaceCategories, eq(marketplaceCategories.id, marketplaceItems.categoryId))
    .where(and(eq(marketplaceItems.type, 'PLUGIN'), eq(marketplaceItems.isActive, true)))
    .orderBy(marketplaceItems.name)
  return rows.map((r) => toPluginItem(r.item, r.category))
}

export async function findPluginItem(deps: AppDeps, slug: string): Promise<PluginItem> {
  await ensureCatalog(deps)
  const [row] = await deps.db
    .select({ item: marketplaceItems, category: marketplaceCategories.name })
    .from(marketplaceItems)
    .leftJoin(marketplaceCategories, eq(marketplaceCategories.id, marketplaceItems.categoryId))
    .where(and(eq(marketplaceItems.slug, slug), eq(marketplaceItems.type, 'PLUGIN'), eq(marketplaceItems.isActive, true)))
    .limit(1)
  if (!row) throw notFound('Plugin')
  return toPluginItem(row.item, row.category)
}

/** The catalog entry without its source. */
export function toPublicPlugin(item: PluginItem): PublicPlugin {
  return {
    slug: item.slug,
    name: item.name,
    description: item.description,
    category: item.category,
    version: item.version,
    author: item.author,
    icon: item.icon,
    isOfficial: item.isOfficial,
    minPlanRequired: item.minPlanRequired,
    installCount: item.installCount,
    actions: item.manifest.actions,
    configFields: item.manifest.configFields,
    gateways: item.manifest.gateways,
  }
}
