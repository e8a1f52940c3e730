import * as v from 'valibot'
import { CommonEnv, EncryptionKey, envIssues } from './env-schema'

const WorkerEnv = v.object({
  ...CommonEnv,
  APP_ENV: v.optional(v.picklist(['development', 'test', 'production']), 'production'),
  DATABASE_URL: v.pipe(v.string('DATABASE_URL is required'), v.regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')),
  /** Only for a plain PostgreSQL behind a WebSocket proxy (tests, self-hosting). */
  NEON_WS_PROXY: v.optional(v.string()),
  /** Neon's SQL-over-HTTP endpoint in front of a plain PostgreSQL (tests, self-hosting); Neon itself has its own. */
  NEON_HTTP_ENDPOINT: v.optional(v.pipe(v.string(), v.url('NEON_HTTP_ENDPOINT must be a URL'))),
  /**
   * How one-shot queries travel: `http` (a fetch each; default on Neon itself and with
   * NEON_HTTP_ENDPOINT) or `websocket` (a connection per request). Transactions always use WebSockets.
   */
  NEON_QUERIES: v.optional(v.picklist(['http', 'websocket'], 'NEON_QUERIES must be http or websocket')),
  /**
   * Seconds a signed-in session and its user stay in the isolate's memory (0, the default: read
   * per request). Saves the one database trip of a signed-in read; the price: a session revoked or
   * a user changed through another isolate still works here until its entry expires.
   */
  SESSION_CACHE_SECONDS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer('SESSION_CACHE_SECONDS must be a whole number of seconds'), v.minValue(0), v.maxValue(60, 'SESSION_CACHE_SECONDS is at most 60'))),
  ENCRYPTION_KEY: EncryptionKey,
  PUBLIC_URL: v.pipe(v.string('PUBLIC_URL is required'), v.url('PUBLIC_URL must be a URL')),
  /** Nomad workspaces (production): the agent's address; without it workspaces are started elsewhere. */
  NOMAD_ADDR: v.optional(v.pipe(v.string(), v.url('NOMAD_ADDR must be a URL'))),
  NOMAD_TOKEN: v.optional(v.pipe(v.string(), v.minLength(1))),
  NOMAD_REGION: v.optional(v.pipe(v.string(), v.minLength(1))),
  NOMAD_NAMESPACE: v.optional(v.pipe(v.string(), v.minLength(1))),
  NOMAD_CPU_MHZ_PER_VCPU: v.optional(v.pipe(v.string(), v.transform(Number), v.integer('NOMAD_CPU_MHZ_PER_VCPU must be an integer'), v.minValue(100))),
  /** The runtime image Nomad runs, e.g. `registry.example.com/2bot/runtime:1.4.0`. */
  WORKSPACE_IMAGE: v.optional(v.pipe(v.string(), v.minLength(1))),
})

const WorkerEnvChecked = v.pipe(
  WorkerEnv,
  v.forward(
    v.check((env) => !env.NOMAD_ADDR || !!env.WORKSPACE_IMAGE, 'WORKSPACE_IMAGE is required with NOMAD_ADDR'),
    ['WORKSPACE_IMAGE'],
  ),
)

export type WorkerConfig = v.InferOutput<typeof WorkerEnv>

export type WorkerConfigResult = { ok: true; config: WorkerConfig } | { ok: false; issues: { variable: string; message: string }[] }

/** Bindings are parsed once per isolate; a bad binding answers 500 BAD_ENVIRONMENT on every request. */
export function parseWorkerEnv(env: unknown): WorkerConfigResult {
  const result = v.safeParse(WorkerEnvChecked, env ?? {})
  return result.success ? { ok: true, config: result.output } : { ok: false, issues: envIssues(result.issues) }
}
