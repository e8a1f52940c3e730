/**
 * Billing. The local provider switches plans without payment (embedded mode); the Stripe provider
 * arrives with the billing issue and plugs in here.
 */
export interface Billing {
  readonly provider: 'local' | 'stripe'
}

export const localBilling: Billing = { provider: 'local' }
