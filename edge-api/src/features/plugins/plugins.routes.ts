import { Hono } from 'hono'
import { InstallPluginBody, PluginConfigBody, PluginGatewaysBody, PluginSlugParam } from '@2bot/contracts'
import type { AppEnv } from '../../env'
import { validate } from '../../middleware/validate'
import { audit } from '../audit/audit.service'
import { authOf, requireAuth } from '../auth/auth.middleware'
import { installPlugin, listInstalledPlugins, uninstallPlugin, updateInstalledPlugin } from './plugins.service'

/** The signed-in user's plugins: install, configure, bind gateways, enable, disable, uninstall. */
export const userPluginsRoutes = new Hono<AppEnv>()
  .get('/', requireAuth({ scope: 'read:plugins' }), async (c) => c.json({ plugins: await listInstalledPlugins(c.get('deps'), authOf(c).user.id) }))
  .post('/:slug/install', requireAuth({ scope: 'write:plugins' }), validate('param', PluginSlugParam), validate('json', InstallPluginBody), async (c) => {
    const plugin = await installPlugin(c.get('deps'), authOf(c).user, c.req.valid('param').slug, c.req.valid('json'))
    await audit(c, { action: 'plugin.install', resource: 'plugin', resourceId: plugin.installId, metadata: { slug: plugin.slug, version: plugin.version } })
    return c.json({ plugin }, 201)
  })
  .delete('/:slug/uninstall', requireAuth({ scope: 'write:plugins' }), validate('param', PluginSlugParam), async (c) => {
    const { install, item } = await uninstallPlugin(c.get('deps'), authOf(c).user.id, c.req.valid('param').slug)
    await audit(c, { action: 'plugin.uninstall', resource: 'plugin', resourceId: install.id, metadata: { slug: item.slug } })
    return c.json({ ok: true as const })
  })
  .patch('/:slug/config', requireAuth({ scope: 'write:plugins' }), validate('param', PluginSlugParam), validate('json', PluginConfigBody), async (c) => {
    const plugin = await updateInstalledPlugin(c.get('deps'), authOf(c).user.id, c.req.valid('param').slug, { config: c.req.valid('json').config })
    await audit(c, { action: 'plugin.configure', resource: 'plugin', resourceId: plugin.installId, metadata: { slug: plugin.slug, fields: Object.keys(plugin.config) } })
    return c.json({ plugin })
  })
  .post('/:slug/gateways', requireAuth({ scope: 'write:plugins' }), validate('param', PluginSlugParam), validate('json', PluginGatewaysBody), async (c) => {
    const plugin = await updateInstalledPlugin(c.get('deps'), authOf(c).user.id, c.req.valid('param').slug, { gateways: c.req.valid('json').gateways })
    await audit(c, { action: 'plugin.gateways', resource: 'plugin', resourceId: plugin.installId, metadata: { slug: plugin.slug, gateways: plugin.gatewayBindings } })
    return c.json({ plugin })
  })
  .post('/:slug/enable', requireAuth({ scope: 'write:plugins' }), validate('param', PluginSlugParam), async (c) => {
    const plugin = await updateInstalledPlugin(c.get('deps'), authOf(c).user.id, c.req.valid('param').slug, { enabled: true })
    await audit(c, { action: 'plugin.enable', resource: 'plugin', resourceId: plugin.installId, metadata: { slug: plugin.slug } })
    return c.json({ plugin })
  })
  .post('/:slug/disable', requireAuth({ scope: 'write:plugins' }), validate('param', PluginSlugParam), async (c) => {
    const plugin = await updateInstalledPlugin(c.get('deps'), authOf(c).user.id, c.req.valid('param').slug, { enabled: false })
    await audit(c, { action: 'plugin.disable', resource: 'plugin', resourceId: plugin.installId, metadata: { slug: plugin.slug } })
    return c.json({ plugin })
  })
