import * as v from 'valibot'
import { WORKFLOW_LIMITS } from '@2bot/contracts'
import { CommonEnv, EncryptionKey, envIssues } from './env-schema'

const LocalEnv = v.object({
  ...CommonEnv,
  HOST: v.optional(v.string(), '127.0.0.1'),
  PORT: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(0), v.maxValue(65535)), '8080'),
  /** Where PGlite, the mail outbox and the local secrets live. */
  DATA_DIR: v.optional(v.string()),
  /** Serve this folder at `/` (the built web app). */
  WEB_DIST: v.optional(v.string()),
  /** Use PostgreSQL/Neon through the Neon driver instead of PGlite. */
  DATABASE_URL: v.optional(v.pipe(v.string(), v.regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL'))),
  NEON_WS_PROXY: v.optional(v.string()),
  ENCRYPTION_KEY: v.optional(EncryptionKey),
  /** How long a runtime's job lease lasts without a heartbeat (a dead runtime's runs resume after it). */
  WORKSPACE_LEASE_SECONDS: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'WORKSPACE_LEASE_SECONDS must be a number'))),
  /** Another Bot API server for Telegram (a self-hosted Bot API, or the test double). */
  TELEGRAM_API_ROOT: v.optional(v.pipe(v.string(), v.url('TELEGRAM_API_ROOT must be a URL'))),
  /** Where workspaces run: `auto` uses Docker/Podman when its socket answers and the image exists. */
  WORKSPACE_DRIVER: v.optional(v.picklist(['auto', 'docker', 'process'], 'WORKSPACE_DRIVER must be auto, docker or process'), 'auto'),
  /** A Docker-compatible API socket (Docker, or `podman system service unix:///…`). */
  DOCKER_SOCKET: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** The runtime image (runtime/scripts/build-image.sh builds it locally). */
  WORKSPACE_IMAGE: v.optional(v.pipe(v.string(), v.minLength(1)), 'localhost/2bot-runtime:latest'),
  /** Host ports for the containers' health endpoints (host networking), e.g. 20400-20599. */
  WORKSPACE_HEALTH_PORTS: v.optional(v.pipe(v.string(), v.regex(/^\d{2,5}-\d{2,5}$/, 'WORKSPACE_HEALTH_PORTS must look like 20400-20599')), '20400-20599'),
  /** Overrides every plan's idle minutes before a workspace sleeps (development, tests). */
  WORKSPACE_IDLE_SECONDS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1))),
  /**
   * Runs one workspace has in flight at once. Default: 64 for child-process runtimes with runs on
   * their main thread (the embedded default: one's own machine, no other tenant to wall off), 10
   * where each run takes a thread or container memory of its own (the cloud's per-owner limit).
   */
  WORKSPACE_MAX_RUNS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(WORKFLOW_LIMITS.maxConcurrentRunsCeiling))),
  /** `worker`: runs and gateways of embedded (process) runtimes in threads with their own memory limits, as containers always do. */
  WORKSPACE_ISOLATION: v.optional(v.picklist(['worker', 'inline'], 'WORKSPACE_ISOLATION must be worker or inline')),
  /** QuickJS heap per code step in a runtime (default 64 MB); tests raise it to reach the container's limit. */
  WORKSPACE_CODE_MEMORY_MB: v.optional(v.pipe(v.string(), v.regex(/^\d{1,5}$/, 'WORKSPACE_CODE_MEMORY_MB must be a number'))),
  /** How often a running workspace's usage is sampled and stored. */
  WORKSPACE_SAMPLE_SECONDS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(3600)), '60'),
})

/** The desktop shell's origin; it calls the local API with a bearer token. */
export const DESKTOP_ORIGIN = 'app://2bot'

export type LocalConfig = v.InferOutput<typeof LocalEnv>

export class BadEnvironmentError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Bad environment: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`)
  }
}

export function parseLocalEnv(env: Record<string, string | undefined>): LocalConfig {
  const result = v.safeParse(LocalEnv, env)
  if (!result.success) throw new BadEnvironmentError(envIssues(result.issues))
  return result.output
}
