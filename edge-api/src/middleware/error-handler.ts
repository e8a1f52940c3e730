import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import type { ErrorBody, ErrorCode } from '@2bot/contracts'
import { AppError } from '../lib/errors'

function fromHttpException(err: HTTPException): AppError {
  switch (err.status) {
    case 400:
      return /json/i.test(err.message)
        ? new AppError('MALFORMED_JSON', 'The request body is not valid JSON')
        : new AppError('BAD_REQUEST', err.message || 'Bad request')
    case 401:
      return new AppError('UNAUTHORIZED', 'Authentication required')
    case 404:
      return new AppError('NOT_FOUND', 'Not found')
    case 413:
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large')
    case 415:
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported content type')
    default:
      return err.status < 500 ? new AppError('BAD_REQUEST', err.message || 'Bad request') : new AppError('INTERNAL', 'Internal error')
  }
}

export function errorBody(c: Context<AppEnv>, code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }), requestId: c.get('requestId') ?? 'unknown' } }
}

/** The single place errors become responses: `{error:{code,message,details,requestId}}`, never a stack. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const appError = err instanceof AppError ? err : err instanceof HTTPException ? fromHttpException(err) : undefined
  if (appError) {
    if (appError.code === 'ACCOUNT_LOCKED' || appError.code === 'RATE_LIMITED') {
      const retry = (appError.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds
      if (retry) c.header('Retry-After', String(retry))
    }
    return c.json(errorBody(c, appError.code, appError.message, appError.details), appError.status)
  }
  c.get('deps')?.logger.log('error', 'unhandled error', {
    requestId: c.get('requestId'),
    path: c.req.path,
    error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
  })
  return c.json(errorBody(c, 'INTERNAL', 'Something went wrong on our side. Try again, and quote the request id if it persists.'), 500)
}

export const onNotFound: NotFoundHandler<AppEnv> = (c) =>
  c.json(errorBody(c, 'NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`), 404)
