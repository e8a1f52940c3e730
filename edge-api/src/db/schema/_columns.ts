import { text, timestamp } from 'drizzle-orm/pg-core'

/** Primary key: a random id made by the app, so rows can be created offline and merged later. */
export const id = () => text('id').primaryKey()

export const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
export const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
/** Soft delete: rows with a value here are hidden from every query and purged after retention. */
export const deletedAt = () => timestamp('deleted_at', { withTimezone: true })
export const at = (name: string) => timestamp(name, { withTimezone: true })
