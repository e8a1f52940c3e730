import { existsSync } from 'node:fs'
import Docker from 'dockerode'
import { createDockerDriver, dockerAnswers } from '../adapters/workspace/docker.driver'
import type { WorkspaceDriver } from '../adapters/workspace/workspace-driver.port'
import type { Db } from '../db/db'
import { workspaceLimits } from '../features/workspaces/workspace-limits'
import type { Logger } from '@2bot/contracts/logger'
import { createProcessDriver } from './process-driver'

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
  /** How often child-process runtimes report their usage (the samples' interval). */
  usageReportSeconds?: number
}

const DEFAULT_SOCKETS = ['/var/run/docker.sock', '/run/podman/podman.sock']

/** Picks the embedded mode's workspace driver; the description goes in the start-up banner. */
export async function createLocalWorkspaceDriver(opts: LocalWorkspaceDriverOptions): Promise<{ driver: WorkspaceDriver; description: string }> {
  const processDriver = () => ({
    driver: createProcessDriver({ repoRoot: opts.repoRoot, apiUrl: opts.apiUrl, logger: opts.logger, env: opts.env, usageReportSeconds: opts.usageReportSeconds }),
    description: 'child processes (runtime/src/main.ts)',
  })
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
  return {
    driver: createDockerDriver({
      docker,
      image: opts.image,
      apiUrl: opts.apiUrl,
      limitsFor: (workspaceId) => workspaceLimits(opts.db, workspaceId),
      logger: opts.logger,
      env: opts.env,
      healthPorts: opts.healthPorts,
    }),
    description: `containers (${opts.image} via ${socketPath})`,
  }
}

/** A Docker API client on a socket (tests and tools use the same dockerode as the driver). */
export const dockerAt = (socketPath: string) => new Docker({ socketPath })
