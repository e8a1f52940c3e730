import { Hono } from 'hono'
import * as v from 'valibot'
import { PluginSlugParam } from '@2bot/contracts'
import type { AppEnv } from '../../env'
import { validate } from '../../middleware/validate'
import { findPluginItem, listPluginItems, toPublicPlugin } from './plugin-catalog'

const CatalogQuery = v.strictObject({ type: v.optional(v.picklist(['PLUGIN'], 'Only plugins are in the catalog so far')) })

/** The public catalog (plugins so far): no sign-in needed, no source shown. */
export const marketplaceRoutes = new Hono<AppEnv>()
  .get('/', validate('query', CatalogQuery), async (c) => c.json({ items: (await listPluginItems(c.get('deps'))).map(toPublicPlugin) }))
  .get('/:slug', validate('param', PluginSlugParam), async (c) => c.json({ item: toPublicPlugin(await findPluginItem(c.get('deps'), c.req.valid('param').slug)) }))
