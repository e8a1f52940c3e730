/**
 * Nomad for 2Bot workspaces: the job spec (JSON builder + `jobs/workspace.nomad.hcl`), a typed
 * Nomad API client, and the NomadDriver the Workers home uses. Everything here runs on `fetch`.
 */
export { createNomadApi, NomadApiError, type NomadApi, type NomadApiOptions } from './api/nomad-api.client'
export type * from './api/nomad-types'
export {
  createNomadDriver,
  inspectWorkspace,
  runtimeStatus,
  type NomadDriver,
  type RuntimeStatus,
  type NomadDriverOptions,
  type NomadWorkspaceState,
  type NomadWorkspaceStatus,
  type WorkspaceOwner,
} from './driver/nomad.driver'
export { DEFAULT_CPU_MHZ_PER_VCPU, PLAN_LIMITS, isPlanName, resourcesForPlan, type NomadResources, type PlanName } from './job/plan-limits'
export { buildWorkspaceJob, workspaceJobId, workspaceVariablePath, type WorkspaceJobInput } from './job/workspace-job'
