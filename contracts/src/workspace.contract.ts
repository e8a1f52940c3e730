import * as v from 'valibot'

export const UpdateWorkspaceBody = v.strictObject({
  /** Paid plans: never sleep when idle. */
  keepAlive: v.boolean(),
})

export const WorkspaceUsageQuery = v.object({
  /** How far back the samples go, in minutes (default 60, at most 7 days). */
  minutes: v.optional(v.pipe(v.string(), v.regex(/^\d{1,5}$/, 'minutes must be a whole number'), v.transform(Number), v.minValue(1), v.maxValue(7 * 24 * 60)), '60'),
})

export type WorkspaceStatus = 'NONE' | 'STOPPED' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'SLEEPING' | 'RESTARTING' | 'CRASHED' | 'ERROR'

/**
 * The roadmap's sub-limits inside a workspace (bulkheads): the heap of each service run's thread, of
 * each gateway's thread and of each plugin's (its sandbox and its thread). The runtime's defaults and what the API reports both come from here.
 */
export const WORKSPACE_BULKHEADS = { runMemoryMb: 256, gatewayMemoryMb: 128, pluginMemoryMb: 64 } as const

export interface PublicWorkspace {
  /** null until the first thing needs a workspace (lazy start). */
  id: string | null
  status: WorkspaceStatus
  driver: string
  plan: string
  limits: { memoryMb: number; cpus: number; storageMb: number }
  idleMinutes: number
  keepAlive: boolean
  keepAliveAllowed: boolean
  startedAt: string | null
  sleptAt: string | null
  restarts: number
  oomKilled: boolean
  usage: PublicUsageSample | null
  /**
   * Runs and gateways each in a thread with these limits; null where they share the runtime's
   * thread (embedded default). Plugins always run in threads of their own (pluginMemoryMb).
   */
  bulkheads: { runMemoryMb: number; gatewayMemoryMb: number; pluginMemoryMb: number } | null
}

export interface PublicUsageSample {
  at: string
  memoryBytes: number
  memoryLimitBytes: number | null
  cpuCores: number
  cpuLimitCores: number | null
  storageBytes: number
  activeRuns: number
  activePlugins: number
}

export const DepartmentUsageQuery = v.object({
  /** Which of the caller's organizations (default: the first they own). */
  organizationId: v.optional(v.pipe(v.string(), v.maxLength(64))),
  /** The window measured, in minutes (default 60, at most 7 days). */
  minutes: v.optional(v.pipe(v.string(), v.regex(/^\d{1,5}$/, 'minutes must be a whole number'), v.transform(Number), v.minValue(1), v.maxValue(7 * 24 * 60)), '60'),
})

/** One department's use of its organization's pool (run time in the window) against its soft quota. */
export interface PublicDepartmentUsage {
  /** null: runs of members in no department. */
  id: string | null
  name: string
  runs: number
  runSeconds: number
  sharePercent: number
  /** Its soft quota: its RAM quota's part of the pool, else the even split; null without a department. */
  quotaPercent: number | null
  overQuota: boolean
  /** Its jobs are leased after the others' right now (fair share, as the last usage sample decided). */
  heldBack: boolean
}

export interface PublicPoolUsage {
  organizationId: string
  /** null until the organization's first run needed its workspace. */
  workspaceId: string | null
  windowMinutes: number
  runs: number
  runSeconds: number
  /** The activity below which an over-share department is neither held back nor reported. */
  fairShareMinimum: { departmentRuns: number; poolRunSeconds: number }
  departments: PublicDepartmentUsage[]
}
