import type { NomadJob } from '../api/nomad-types'
import { type NomadResources, type PlanName } from './plan-limits'

/** Nomad's JSON API takes durations in nanoseconds; the HCL file writes them as "10s". */
export const SECOND_NS = 1_000_000_000

export const WORKSPACE_GROUP = 'runtime'
export const WORKSPACE_TASK = 'runtime'
export const WORKSPACE_SERVICE = 'twobot-workspace'
/** The port the runtime's `/health` listens on inside the container; Nomad maps a dynamic host port to it. */
export const RUNTIME_HEALTH_PORT = 8081

/**
 * The token the runtime authenticates with lives in the Nomad Variable `nomad/jobs/<job id>`, which
 * only this job's workload identity may read. The template renders it into the task's environment
 * from `secrets/` (never in the job spec, meta or logs); a new token restarts the task.
 */
export const TOKEN_TEMPLATE =
  '{{ with nomadVar (printf "nomad/jobs/%s" (env "NOMAD_JOB_ID")) }}TWOBOT_WORKSPACE_TOKEN={{ .token }}{{ end }}\n'
export const TOKEN_ENV_FILE = 'secrets/workspace.env'

export interface WorkspaceJobInput {
  workspaceId: string
  userId?: string | null
  organizationId?: string | null
  plan: PlanName
  resources: NomadResources
  /** The runtime image, e.g. `registry.example.com/2bot/runtime:1.4.0`. */
  image: string
  /** Where the runtime reaches the platform API (`TWOBOT_API_URL`). */
  apiUrl: string
  /** 1 = running, 0 = asleep. */
  count: 0 | 1
  region?: string
  namespace?: string
  datacenters?: string[]
}

/** `workspace-<id>`: a workspace's Nomad job id (and the variable path `nomad/jobs/<job id>`). */
export function workspaceJobId(workspaceId: string): string {
  return `workspace-${workspaceId}`
}

export function workspaceVariablePath(workspaceId: string): string {
  return `nomad/jobs/${workspaceJobId(workspaceId)}`
}

/**
 * The job the driver registers for one workspace: one group with one docker task sized by the plan.
 * A resize re-registers it; the `update` block then runs the new allocation as a canary next to the
 * old one and promotes it once its health check passes, so a plan change has no downtime.
 */
export function buildWorkspaceJob(input: WorkspaceJobInput): NomadJob {
  const id = workspaceJobId(input.workspaceId)
  return {
    ID: id,
    Name: id,
    Type: 'service',
    ...(input.region ? { Region: input.region } : {}),
    ...(input.namespace ? { Namespace: input.namespace } : {}),
    Datacenters: input.datacenters ?? ['*'],
    Meta: {
      workspace_id: input.workspaceId,
      user_id: input.userId ?? '',
      organization_id: input.organizationId ?? '',
      plan: input.plan,
    },
    Update: {
      MaxParallel: 1,
      Canary: 1,
      AutoPromote: true,
      AutoRevert: true,
      HealthCheck: 'checks',
      MinHealthyTime: 10 * SECOND_NS,
      HealthyDeadline: 180 * SECOND_NS,
      ProgressDeadline: 600 * SECOND_NS,
      Stagger: 30 * SECOND_NS,
    },
    TaskGroups: [
      {
        Name: WORKSPACE_GROUP,
        Count: input.count,
        // Bounds for the scale endpoint: a workspace is asleep (0) or running (1), never more.
        Scaling: { Min: 0, Max: 1, Enabled: false },
        RestartPolicy: { Attempts: 3, Interval: 300 * SECOND_NS, Delay: 15 * SECOND_NS, Mode: 'delay' },
        ReschedulePolicy: {
          Unlimited: true,
          Delay: 15 * SECOND_NS,
          DelayFunction: 'exponential',
          MaxDelay: 300 * SECOND_NS,
        },
        EphemeralDisk: { SizeMB: input.resources.diskMb },
        Networks: [{ DynamicPorts: [{ Label: 'health', To: RUNTIME_HEALTH_PORT }] }],
        Services: [
          {
            Name: WORKSPACE_SERVICE,
            Provider: 'nomad',
            PortLabel: 'health',
            Tags: [`workspace-${input.workspaceId}`, `plan-${input.plan}`],
            Checks: [
              {
                Name: 'runtime-health',
                Type: 'http',
                Path: '/health',
                Interval: 10 * SECOND_NS,
                Timeout: 2 * SECOND_NS,
              },
            ],
          },
        ],
        Tasks: [
          {
            Name: WORKSPACE_TASK,
            Driver: 'docker',
            Config: { image: input.image, ports: ['health'] },
            Env: {
              TWOBOT_API_URL: input.apiUrl,
              TWOBOT_WORKSPACE_ID: input.workspaceId,
              TWOBOT_HEALTH_PORT: String(RUNTIME_HEALTH_PORT),
              // Docker maps the host's dynamic port into the container: listen beyond loopback.
              TWOBOT_HEALTH_HOST: '0.0.0.0',
              // Bulkheads: each service run and each gateway in a worker thread with its own memory limit.
              TWOBOT_ISOLATION: 'worker',
              // The platform on Workers cannot read the allocation: the runtime reports its own usage.
              TWOBOT_USAGE_REPORT_SECONDS: '60',
            },
            Templates: [{ EmbeddedTmpl: TOKEN_TEMPLATE, DestPath: TOKEN_ENV_FILE, Envvars: true, ChangeMode: 'restart' }],
            Resources: { CPU: input.resources.cpuMhz, MemoryMB: input.resources.memoryMb },
            KillTimeout: 30 * SECOND_NS,
            LogConfig: { MaxFiles: 3, MaxFileSizeMB: 10 },
          },
        ],
      },
    ],
  }
}
