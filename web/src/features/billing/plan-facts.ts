import type { PublicPlan } from '@2bot/contracts'

const size = (mb: number) => (mb >= 1024 ? `${mb / 1024} GB` : `${mb} MB`)

/** A plan's limits as the plan cards list them. */
export function planFacts(plan: PublicPlan): string[] {
  return [
    `${size(plan.memoryMb)} memory`,
    `${plan.cpus} ${plan.cpus === 1 ? 'CPU core' : 'CPU cores'}`,
    `${size(plan.storageMb)} storage`,
    plan.keepAliveAllowed ? `Keep-alive, or sleeps after ${plan.idleMinutes} idle minutes` : `Sleeps after ${plan.idleMinutes} idle minutes`,
    plan.pluginsAllowed === null ? 'Unlimited plugins' : `${plan.pluginsAllowed} plugins`,
  ]
}

/** "Free", "Starter", … from the API's plan name. */
export function planLabel(name: string): string {
  return name.charAt(0) + name.slice(1).toLowerCase()
}
