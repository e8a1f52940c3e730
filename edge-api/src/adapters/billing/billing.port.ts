import type { UserPlanName as UserPlan } from '@2bot/contracts'

/** A plan change a user asked for; `apply` writes it (the users row, then the running workspace). */
export interface PlanChange {
  userId: string
  from: UserPlan
  to: UserPlan
  apply(): Promise<void>
}

/**
 * Billing: who takes payment for a plan. `changePlan` exists only where a plan may change here and
 * now; without it the API refuses plan changes (409 BILLING_NOT_CONFIGURED) and changes nothing.
 */
export interface Billing {
  /** `none`: this deployment takes no payments yet (Stripe arrives with the billing issue). */
  readonly provider: 'local' | 'stripe' | 'none'
  changePlan?(change: PlanChange): Promise<void>
}

/**
 * The embedded app's provider: switches immediately, without payment. Everything runs on the
 * user's own machine, so there is nobody to pay; never wire it into a shared (cloud) deployment.
 */
export const localBilling: Billing = {
  provider: 'local',
  changePlan: (change) => change.apply(),
}

/** A deployment without a payment provider: plans can be shown but not changed. */
export const unconfiguredBilling: Billing = { provider: 'none' }
