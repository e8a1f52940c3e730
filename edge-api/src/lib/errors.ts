import { ERROR_STATUS, type ErrorCode } from '@2bot/contracts'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

// Checked here rather than in the contract: the status type is Hono's, and contracts do not import Hono.
const STATUS: Record<ErrorCode, ContentfulStatusCode> = ERROR_STATUS

/** The one error the app throws on purpose; `onError` turns it into the JSON error shape. */
export class AppError extends Error {
  readonly status: ContentfulStatusCode
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'AppError'
    this.status = STATUS[code]
  }
}

export const notFound = (what = 'Resource') => new AppError('NOT_FOUND', `${what} not found`)
