import type * as v from 'valibot'
import type { PluginManifest } from '@2bot/contracts'

/** A plugin that ships with 2Bot: its catalog entry and manifest, kept in code and synced to the catalog. */
export interface BuiltinPlugin {
  slug: string
  name: string
  description: string
  category: string
  /** Bump it when the manifest changes: the catalog row is updated and workspaces load the new source. */
  version: string
  /** As written; the catalog stores it parsed (defaults filled in). */
  manifest: v.InferInput<typeof PluginManifest>
}
