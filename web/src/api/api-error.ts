import type { ErrorCode } from '@2bot/contracts'
import * as v from 'valibot'

/** Field name → first message for that field, as shown under form inputs. */
export type FieldErrors = Record<string, string>

/** The API's error body `{error:{code,message,details,requestId}}` as a thrown value. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK' | 'UNKNOWN',
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** Per-field messages: from `details[].path` (validation) or `details.field` (e.g. WRONG_PASSWORD). */
  get fieldErrors(): FieldErrors {
    return fieldErrorsOf(this.details, this.message)
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null
}

/**
 * Maps an error's `details` to field errors.
 * @example fieldErrorsOf([{ path: 'password', message: 'Include a number' }]) // { password: 'Include a number' }
 */
export function fieldErrorsOf(details: unknown, message = ''): FieldErrors {
  const out: FieldErrors = {}
  if (Array.isArray(details)) {
    for (const d of details) {
      if (isRecord(d) && typeof d.path === 'string' && d.path && typeof d.message === 'string' && !(d.path in out)) out[d.path] = d.message
    }
  } else if (isRecord(details) && typeof details.field === 'string' && message) {
    out[details.field] = message
  }
  return out
}

/** Builds an ApiError from a non-2xx response, whatever its body. */
export async function apiErrorFromResponse(res: Response): Promise<ApiError> {
  let body: unknown
  try {
    body = await res.json()
  } catch {
    body = undefined
  }
  const err = isRecord(body) && isRecord(body.error) ? body.error : undefined
  if (err && typeof err.code === 'string' && typeof err.message === 'string') {
    return new ApiError(res.status, err.code as ErrorCode, err.message, err.details, typeof err.requestId === 'string' ? err.requestId : undefined)
  }
  return new ApiError(res.status, 'UNKNOWN', `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`)
}

/** Anything caught from an API call, as an ApiError (network failures included). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  return new ApiError(0, 'NETWORK', 'Cannot reach the 2Bot server. Check your connection and try again.')
}

/** The same field-error map from a client-side valibot check, so the two sources look alike. */
export function issuesToFieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldErrors {
  return fieldErrorsOf(issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message })))
}
