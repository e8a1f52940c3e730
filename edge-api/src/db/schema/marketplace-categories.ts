import { integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { createdAt, id } from './_columns'
import { marketplaceType } from './enums'

/** Categories are rows, not an enum, so new ones need no migration. */
export const marketplaceCategories = pgTable(
  'marketplace_categories',
  {
    id: id(),
    type: marketplaceType('type').notNull(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    icon: text('icon'),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('marketplace_categories_type_slug_key').on(t.type, t.slug)],
)
