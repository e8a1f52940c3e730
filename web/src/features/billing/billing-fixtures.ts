import type { PublicPlan, PublicSubscription } from '@2bot/contracts'

export const PLANS: PublicPlan[] = [
  { name: 'FREE', memoryMb: 512, cpus: 0.5, storageMb: 100, idleMinutes: 15, keepAliveAllowed: false, pluginsAllowed: 3 },
  { name: 'STARTER', memoryMb: 1024, cpus: 1, storageMb: 1024, idleMinutes: 30, keepAliveAllowed: true, pluginsAllowed: 5 },
  { name: 'PRO', memoryMb: 2048, cpus: 2, storageMb: 5120, idleMinutes: 60, keepAliveAllowed: true, pluginsAllowed: 10 },
  { name: 'BUSINESS', memoryMb: 4096, cpus: 4, storageMb: 20480, idleMinutes: 60, keepAliveAllowed: true, pluginsAllowed: 25 },
  { name: 'ENTERPRISE', memoryMb: 8192, cpus: 8, storageMb: 102400, idleMinutes: 60, keepAliveAllowed: true, pluginsAllowed: null },
]

export function aSubscription(overrides: Partial<PublicSubscription> = {}): PublicSubscription {
  return { plan: 'FREE', provider: 'local', canSwitch: true, plans: PLANS, ...overrides }
}
