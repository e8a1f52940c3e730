import { existsSync } from 'node:fs'
import Docker from 'dockerode'
import { createDockerDriver, dockerAnswers } from '../adapters/workspace/docker.driver'
import type { WorkspaceDriver } from '../adapters/workspace/workspace-driver.port'
import type { Db } from '../db/db'
import { workspaceLimits } from '../features/workspaces/workspace-limits'
import { WORKFLOW_LIMITS } from '@2bot/contracts'
import type { Logger } from '@2bot/contracts/logger'
import { createProcessDriver, runtimeEntry } from './process-driver'

export interface LocalWorkspaceDriverOptions {
  /** `auto` (default): Docker/Podman when its socket answers and the runtime image exists, else child processes. */
  mode: 'auto' | 'docker' | 'process'
  socketPath?: string
  image: string
  healthPorts?: { from: number; to: number }
  repoRoot: string
  apiUrl: () => string
  logger: Logger
  db: Db
  env: Record<string, string>
  /** Runs a workspace has in flight at once (WORKSPACE_MAX_RUNS); unset: by the driver picked, see below. */
  runsAtOnce?: number
  /** How often child-process runtimes report their usage (the samples' interval). */
  usageReportSeconds?: number
}

const DEFAULT_SOCKETS = ['/var/run/docker.sock', '/run/podman/podman.sock']

/**
 * Runs at once in a child-process runtime whose runs share its main thread: they mostly wait on
 * the network and the platform, so 50 callers at once keep 50 runs going instead of queueing
 * behind 10. Thread and container bulkheads give each run memory of its own: they keep the cloud's 10.
 */
export const EMBEDDED_RUNS_AT_ONCE = 64

/** Picks the embedded mode's workspace driver; the description goes in the start-up banner. */
export async function createLocalWorkspaceDriver(opts: LocalWorkspaceDriverOptions): Promise<{ driver: WorkspaceDriver; description: string; runsAtOnce: number }> {
  const runtimeEnv = (runsAtOnce: number) => ({ ...opts.env, TWOBOT_CONCURRENCY: String(runsAtOnce) })
  const processDriver = () => {
    const runsAtOnce = opts.runsAtOnce ?? (opts.env.TWOBOT_ISOLATION === 'worker' ? WORKFLOW_LIMITS.maxConcurrentRunsPerUser : EMBEDDED_RUNS_AT_ONCE)
    return {
      driver: createProcessDriver({ repoRoot: opts.repoRoot, apiUrl: opts.apiUrl, logger: opts.logger, env: runtimeEnv(runsAtOnce), usageReportSeconds: opts.usageReportSeconds }),
      description: `child processes (${runtimeEntry(opts.repoRoot).label})`,
      runsAtOnce,
    }
  }
  if (opts.mode === 'process') return processDriver()
  const socketPath = opts.socketPath ?? DEFAULT_SOCKETS.find((s) => existsSync(s))
  if (!socketPath) {
    if (opts.mode === 'docker') throw new Error('WORKSPACE_DRIVER=docker needs DOCKER_SOCKET (no Docker or Podman socket found)')
    return processDriver()
  }
  const docker = new Docker({ socketPath })
  const answers = await dockerAnswers(docker)
  const imageThere = answers && (await docker.getImage(opts.image).inspect().then(() => true, () => false))
  if (!answers || !imageThere) {
    const why = answers ? `image ${opts.image} not built (runtime/scripts/build-image.sh)` : `no engine answers on ${socketPath}`
    if (opts.mode === 'docker') throw new Error(`WORKSPACE_DRIVER=docker: ${why}`)
    opts.logger.log('info', 'workspaces run as child processes', { reason: why })
    return processDriver()
  }
  const runsAtOnce = opts.runsAtOnce ?? WORKFLOW_LIMITS.maxConcurrentRunsPerUser
  return {
    runsAtOnce,
    driver: createDockerDriver({
      docker,
      image: opts.image,
      apiUrl: opts.apiUrl,
      limitsFor: (workspaceId) => workspaceLimits(opts.db, workspaceId),
      logger: opts.logger,
      env: runtimeEnv(runsAtOnce),
      healthPorts: opts.healthPorts,
    }),
    description: `containers (${opts.image} via ${socketPath})`,
  }
}

/** A Docker API client on a socket (tests and tools use the same dockerode as the driver). */
export const dockerAt = (socketPath: string) => new Docker({ socketPath })
