/**
 * Workspace sizes per plan, from the roadmap's pricing tables (individual plans: RAM / vCPU /
 * storage; organization plans: the shared pool, which the organization's one workspace gets).
 */
export const PLAN_LIMITS = {
  FREE: { memoryMb: 512, vcpu: 0.5, diskMb: 100 },
  STARTER: { memoryMb: 1024, vcpu: 1, diskMb: 1024 },
  PRO: { memoryMb: 2048, vcpu: 2, diskMb: 5120 },
  BUSINESS: { memoryMb: 4096, vcpu: 4, diskMb: 20480 },
  ENTERPRISE: { memoryMb: 8192, vcpu: 8, diskMb: 102400 },
  ORG_STARTER: { memoryMb: 4096, vcpu: 2, diskMb: 10240 },
  ORG_GROWTH: { memoryMb: 8192, vcpu: 4, diskMb: 25600 },
  ORG_PRO: { memoryMb: 16384, vcpu: 8, diskMb: 51200 },
  ORG_BUSINESS: { memoryMb: 32768, vcpu: 16, diskMb: 102400 },
  // "Custom" in the roadmap: starts at ORG_BUSINESS's size until sales sets one.
  ORG_ENTERPRISE: { memoryMb: 32768, vcpu: 16, diskMb: 102400 },
} as const satisfies Record<string, { memoryMb: number; vcpu: number; diskMb: number }>

export type PlanName = keyof typeof PLAN_LIMITS

/**
 * Nomad measures CPU in MHz of a node's advertised clock, not in cores. We reserve 2,000 MHz per
 * vCPU of a plan: the base clock of the general-purpose cloud cores workspaces run on (2.0–2.5 GHz),
 * rounded down so a plan never asks for more than one real core per vCPU. Override it per cluster
 * with `cpuMhzPerVcpu` (NOMAD_CPU_MHZ_PER_VCPU) when its nodes are slower or faster.
 */
export const DEFAULT_CPU_MHZ_PER_VCPU = 2000

export interface NomadResources {
  /** Nomad `resources.cpu`. */
  cpuMhz: number
  /** Nomad `resources.memory` (a hard limit with the docker driver). */
  memoryMb: number
  /** Nomad `ephemeral_disk.size`. */
  diskMb: number
}

export function isPlanName(plan: string): plan is PlanName {
  return Object.hasOwn(PLAN_LIMITS, plan)
}

/** @example resourcesForPlan('FREE') // { cpuMhz: 1000, memoryMb: 512, diskMb: 100 } */
export function resourcesForPlan(plan: PlanName, cpuMhzPerVcpu = DEFAULT_CPU_MHZ_PER_VCPU): NomadResources {
  const limits = PLAN_LIMITS[plan]
  return { cpuMhz: Math.round(limits.vcpu * cpuMhzPerVcpu), memoryMb: limits.memoryMb, diskMb: limits.diskMb }
}
