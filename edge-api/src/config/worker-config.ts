import * as v from 'valibot'
import { CommonEnv, EncryptionKey, envIssues } from './env-schema'

const WorkerEnv = v.object({
  ...CommonEnv,
  APP_ENV: v.optional(v.picklist(['development', 'test', 'production']), 'production'),
  DATABASE_URL: v.pipe(v.string('DATABASE_URL is required'), v.regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')),
  /** Only for a plain PostgreSQL behind a WebSocket proxy (tests, self-hosting). */
  NEON_WS_PROXY: v.optional(v.string()),
  ENCRYPTION_KEY: EncryptionKey,
  PUBLIC_URL: v.pipe(v.string('PUBLIC_URL is required'), v.url('PUBLIC_URL must be a URL')),
})

export type WorkerConfig = v.InferOutput<typeof WorkerEnv>

export type WorkerConfigResult = { ok: true; config: WorkerConfig } | { ok: false; issues: { variable: string; message: string }[] }

/** Bindings are parsed once per isolate; a bad binding answers 500 BAD_ENVIRONMENT on every request. */
export function parseWorkerEnv(env: unknown): WorkerConfigResult {
  const result = v.safeParse(WorkerEnv, env ?? {})
  return result.success ? { ok: true, config: result.output } : { ok: false, issues: envIssues(result.issues) }
}
