import { bigint, index, integer, pgTable, text } from 'drizzle-orm/pg-core'
import { at, id } from './_columns'
import { workspaces } from './workspaces'

/**
 * One reading of a running workspace (memory, CPU, storage, runs in flight), taken by the sampler
 * every minute or so: the history behind the Workspace page's charts and compute billing.
 */
export const workspaceUsageSamples = pgTable(
  'workspace_usage_samples',
  {
    id: id(),
    workspaceId: text('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    sampledAt: at('sampled_at').notNull().defaultNow(),
    memoryBytes: bigint('memory_bytes', { mode: 'number' }).notNull(),
    memoryLimitBytes: bigint('memory_limit_bytes', { mode: 'number' }),
    /** Thousandths of a core in use, averaged since the previous sample. */
    cpuMillicores: integer('cpu_millicores').notNull(),
    cpuLimitMillicores: integer('cpu_limit_millicores'),
    storageBytes: bigint('storage_bytes', { mode: 'number' }).notNull().default(0),
    activeRuns: integer('active_runs').notNull().default(0),
    /** Plugin threads alive (each a plugin loaded in its sandbox). */
    activePlugins: integer('active_plugins').notNull().default(0),
  },
  (t) => [index('workspace_usage_samples_workspace_time_idx').on(t.workspaceId, t.sampledAt)],
)

export type WorkspaceUsageSample = typeof workspaceUsageSamples.$inferSelect
