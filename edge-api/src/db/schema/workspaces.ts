import { boolean, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { at, createdAt, id, updatedAt } from './_columns'
import { organizations } from './organizations'
import { users } from './users'

/**
 * Where a user's (or organization's) workflows run. The runtime inside authenticates with the
 * workspace token (stored hashed) and sees only this workspace's jobs. One per user, and one per
 * organization (its pool; `userId` null).
 */
export const workspaces = pgTable(
  'workspaces',
  {
    id: id(),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    organizationId: text('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    status: text('status', { enum: ['STOPPED', 'STARTING', 'RUNNING', 'STOPPING', 'SLEEPING', 'ERROR'] }).notNull().default('STOPPED'),
    driver: text('driver').notNull().default('process'),
    lastHeartbeatAt: at('last_heartbeat_at'),
    /** Paid plans may keep the workspace awake instead of sleeping after the plan's idle minutes. */
    keepAlive: boolean('keep_alive').notNull().default(false),
    startedAt: at('started_at'),
    sleptAt: at('slept_at'),
    /** The highest usage alert (70/85/95 %) sent since usage last fell below the lowest; 0 = none. */
    usageAlertLevel: integer('usage_alert_level').notNull().default(0),
    /**
     * An organization's pool: the departments over their soft quota at the last check (the
     * lifecycle's); their jobs are leased after the others'. Null: none (and every personal workspace).
     */
    overQuotaDepartments: text('over_quota_departments').array(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('workspaces_user_key').on(t.userId), uniqueIndex('workspaces_organization_key').on(t.organizationId)],
)

export type Workspace = typeof workspaces.$inferSelect
