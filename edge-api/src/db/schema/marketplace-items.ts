import { boolean, index, integer, jsonb, numeric, pgTable, real, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { createdAt, id, updatedAt } from './_columns'
import { marketplaceType, planType, priceType } from './enums'
import { marketplaceCategories } from './marketplace-categories'

export const marketplaceItems = pgTable(
  'marketplace_items',
  {
    id: id(),
    slug: text('slug').notNull(),
    type: marketplaceType('type').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    longDescription: text('long_description'),
    icon: text('icon'),
    screenshots: text('screenshots').array().notNull().default([]),
    categoryId: text('category_id').references(() => marketplaceCategories.id, { onDelete: 'set null' }),
    tags: text('tags').array().notNull().default([]),
    dependencies: text('dependencies').array().notNull().default([]),
    minPlanRequired: planType('min_plan_required').notNull().default('FREE'),
    version: text('version').notNull(),
    author: text('author').notNull(),
    authorUrl: text('author_url'),
    price: numeric('price', { precision: 10, scale: 2 }).notNull().default('0'),
    priceType: priceType('price_type').notNull().default('FREE'),
    isOfficial: boolean('is_official').notNull().default(false),
    isActive: boolean('is_active').notNull().default(true),
    installCount: integer('install_count').notNull().default(0),
    rating: real('rating').notNull().default(0),
    reviewCount: integer('review_count').notNull().default(0),
    /** Type-specific payload: a plugin manifest, a ThemeDefinition, a widget spec, a workflow. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('marketplace_items_slug_key').on(t.slug),
    index('marketplace_items_type_idx').on(t.type),
    index('marketplace_items_category_idx').on(t.categoryId),
  ],
)

export type MarketplaceItem = typeof marketplaceItems.$inferSelect
