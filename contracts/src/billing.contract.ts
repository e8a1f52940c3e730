import * as v from 'valibot'

/** A user's plans, cheapest first (the users.plan enum). */
export const USER_PLANS = ['FREE', 'STARTER', 'PRO', 'BUSINESS', 'ENTERPRISE'] as const
export type UserPlanName = (typeof USER_PLANS)[number]

export const SubscribeBody = v.strictObject({
  plan: v.picklist(USER_PLANS, `plan must be one of ${USER_PLANS.join(', ')}`),
})

/** What a plan gives: the workspace's resources and how many plugins it may install (null: no limit). */
export interface PublicPlan {
  name: UserPlanName
  memoryMb: number
  cpus: number
  storageMb: number
  idleMinutes: number
  keepAliveAllowed: boolean
  pluginsAllowed: number | null
}

export interface PublicSubscription {
  plan: UserPlanName
  /** `local`: the embedded app, plans switch without payment; `none`: this deployment takes no payments. */
  provider: 'local' | 'stripe' | 'none'
  /** Whether `POST /api/billing/subscribe` can change the plan here. */
  canSwitch: boolean
  plans: PublicPlan[]
}

export interface SubscribeResult {
  subscription: PublicSubscription
  /** false when the user already had the plan (nothing happened). */
  changed: boolean
  /** What the user has beyond the new plan's limits (the change happens anyway), e.g. more plugins than it allows. */
  warnings: string[]
}
