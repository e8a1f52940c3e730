import { jsonb, pgTable, text } from 'drizzle-orm/pg-core'
import { createdAt, updatedAt } from './_columns'
import { users } from './users'

/** A widget as stored; the shape is checked by `contracts/dashboard.contract.ts` before it is written. */
export interface StoredWidget {
  id: string
  type: string
  size: string
  refreshSeconds: number
  settings: Record<string, unknown>
}

/** One dashboard per user: the ordered widget list, replaced whole on every save. */
export const dashboardLayouts = pgTable('dashboard_layouts', {
  userId: text('user_id').primaryKey().references(() => users.id, { onDelete: 'cascade' }),
  widgets: jsonb('widgets').$type<StoredWidget[]>().notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

export type DashboardLayout = typeof dashboardLayouts.$inferSelect
