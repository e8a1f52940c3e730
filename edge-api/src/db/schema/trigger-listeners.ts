import { index, pgTable, text } from 'drizzle-orm/pg-core'
import { at, createdAt, id } from './_columns'
import { gateways } from './gateways'
import { services } from './services'
import { users } from './users'

/**
 * A test run waiting for the next event on a gateway (the canvas's "listen for a test message").
 * The platform keeps owning the bot's webhook and hands the next matching update to the listener
 * as well as to the production workflows.
 */
export const triggerListeners = pgTable(
  'trigger_listeners',
  {
    id: id(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    serviceId: text('service_id').notNull().references(() => services.id, { onDelete: 'cascade' }),
    gatewayId: text('gateway_id').notNull().references(() => gateways.id, { onDelete: 'cascade' }),
    expiresAt: at('expires_at').notNull(),
    /** The execution the listener started; set once, then the listener is spent. */
    executionId: text('execution_id'),
    createdAt: createdAt(),
  },
  (t) => [index('trigger_listeners_gateway_idx').on(t.gatewayId, t.expiresAt)],
)
