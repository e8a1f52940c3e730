import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dockerAt } from '../../../edge-api/src/local/local-workspace-driver'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const IMAGE = 'localhost/2bot-runtime:test'

/**
 * A real container engine for the workspace tests: Podman's Docker-compatible API on a socket of
 * our own (started here and stopped after, by pid), and the runtime image built from this
 * checkout. CI installs podman and runc (tests/setup-and-test.sh).
 */
export async function startPodman(socketPath = '/tmp/2bot-test-podman.sock') {
  let service: ChildProcess | undefined
  const docker = dockerAt(socketPath)
  const answers = () => docker.ping().then(() => true, () => false)
  if (!(existsSync(socketPath) && (await answers()))) {
    rmSync(socketPath, { force: true })
    service = spawn('podman', ['system', 'service', '--time=0', `unix://${socketPath}`], { stdio: 'ignore' })
    const deadline = Date.now() + 15_000
    while (!(existsSync(socketPath) && (await answers()))) {
      if (Date.now() > deadline) throw new Error('podman system service did not answer')
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  execFileSync('bash', ['runtime/scripts/build-image.sh', IMAGE], { cwd: ROOT, stdio: 'inherit' })
  return {
    docker,
    socketPath,
    /** Containers the platform made for this workspace. */
    containersOf: (workspaceId: string) => docker.listContainers({ all: true, filters: { label: [`2bot.workspace=${workspaceId}`] } }),
    async stop() {
      // Whatever a failed test left behind.
      for (const c of await docker.listContainers({ all: true, filters: { label: ['2bot.managed=true'] } })) {
        await docker.getContainer(c.Id).remove({ force: true }).catch(() => {})
      }
      service?.kill('SIGTERM')
    },
  }
}

/** Platform settings that put workspaces in containers on this engine (health ports 5400–5449). */
export const dockerEnv = (socketPath: string, extra: Record<string, string> = {}) => ({
  WORKSPACE_DRIVER: 'docker',
  DOCKER_SOCKET: socketPath,
  WORKSPACE_IMAGE: IMAGE,
  WORKSPACE_HEALTH_PORTS: '5400-5449',
  ...extra,
})
