import * as v from 'valibot'

const csv = v.pipe(
  v.optional(v.string(), ''),
  v.transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
)
const url = (what: string) => v.pipe(v.string(), v.url(`${what} must be a URL`))
const positiveInt = v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1))

/** Settings shared by both homes. Each entry point adds its own. */
export const CommonEnv = {
  APP_ENV: v.optional(v.picklist(['development', 'test', 'production']), 'development'),
  CORS_ORIGINS: csv,
  PUBLIC_URL: v.optional(url('PUBLIC_URL')),
  AUTH_RATE_LIMIT_PER_MINUTE: v.optional(positiveInt, '60'),
  UPSTASH_REDIS_REST_URL: v.optional(url('UPSTASH_REDIS_REST_URL')),
  UPSTASH_REDIS_REST_TOKEN: v.optional(v.pipe(v.string(), v.minLength(1))),
  QSTASH_URL: v.optional(url('QSTASH_URL')),
  QSTASH_TOKEN: v.optional(v.pipe(v.string(), v.minLength(1))),
  QSTASH_CURRENT_SIGNING_KEY: v.optional(v.pipe(v.string(), v.minLength(1))),
  QSTASH_NEXT_SIGNING_KEY: v.optional(v.pipe(v.string(), v.minLength(1))),
  LOG_LEVEL: v.optional(v.picklist(['debug', 'info', 'warn', 'error']), 'info'),
}

/** A 32-byte key as base64 (44 chars), for AES-256-GCM. */
export const EncryptionKey = v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/_-]{43}=?$/, 'ENCRYPTION_KEY must be 32 bytes in base64'))

/** Turns valibot issues into `[{ variable, message }]` without echoing any value. */
export function envIssues(issues: v.BaseIssue<unknown>[]): { variable: string; message: string }[] {
  return issues.map((issue) => ({ variable: v.getDotPath(issue) ?? '(env)', message: issue.message }))
}
