import { Hono } from 'hono'
import { SubscribeBody } from '@2bot/contracts'
import type { AppEnv } from '../../env'
import { validate } from '../../middleware/validate'
import { audit } from '../audit/audit.service'
import { authOf, requireAuth } from '../auth/auth.middleware'
import { describeSubscription, subscribe } from './billing.service'

// Plans are the account owner's business: a signed-in session only, never an API key.
const session = requireAuth()

/** The caller's plan, the plans on offer, and switching between them where this deployment allows it. */
export const billingRoutes = new Hono<AppEnv>()
  .get('/subscription', session, (c) => {
    const { user } = authOf(c)
    return c.json({ subscription: describeSubscription(c.get('deps'), user.plan) })
  })
  .post('/subscribe', session, validate('json', SubscribeBody), async (c) => {
    const { user } = authOf(c)
    const { plan } = c.req.valid('json')
    const metadata = { from: user.plan, to: plan, provider: c.get('deps').billing.provider }
    try {
      const result = await subscribe(c.get('deps'), user, plan)
      if (result.changed) await audit(c, { action: 'billing.plan_change', resource: 'user', resourceId: user.id, metadata: { ...metadata, warnings: result.warnings } })
      return c.json(result)
    } catch (err) {
      // A refused change is worth a trace too: on a cloud deployment it is someone trying a free upgrade.
      await audit(c, { action: 'billing.plan_change', resource: 'user', resourceId: user.id, status: 'failure', metadata })
      throw err
    }
  })
