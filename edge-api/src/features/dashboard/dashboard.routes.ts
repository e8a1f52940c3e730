import { Hono } from 'hono'
import { ActivityQuery, DashboardLayoutBody, StatsQuery } from '@2bot/contracts'
import type { AppEnv } from '../../env'
import { validate } from '../../middleware/validate'
import { authOf, requireAuth } from '../auth/auth.middleware'
import { getActivity, getLayout, getStats, saveLayout } from './dashboard.service'

const session = requireAuth()
const analytics = requireAuth({ scope: 'read:analytics' })

/** The signed-in user's dashboard: their widget layout and the numbers its widgets show. */
export const dashboardRoutes = new Hono<AppEnv>()
  .get('/layout', session, async (c) => {
    return c.json({ layout: await getLayout(c.get('deps'), authOf(c).user.id) })
  })
  .put('/layout', session, validate('json', DashboardLayoutBody), async (c) => {
    return c.json({ layout: await saveLayout(c.get('deps'), authOf(c).user.id, c.req.valid('json').widgets) })
  })
  .get('/stats', analytics, validate('query', StatsQuery), async (c) => {
    return c.json({ stats: await getStats(c.get('deps'), authOf(c).user.id, c.req.valid('query').utcOffset) })
  })
  .get('/activity', analytics, validate('query', ActivityQuery), async (c) => {
    const { range, utcOffset } = c.req.valid('query')
    return c.json({ activity: await getActivity(c.get('deps'), authOf(c).user.id, range, utcOffset) })
  })
