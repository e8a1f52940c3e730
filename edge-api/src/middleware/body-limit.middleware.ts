import { bodyLimit as streamingBodyLimit } from 'hono/body-limit'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { AppError } from '../lib/errors'

export const KB = 1024
export const MB = 1024 * KB

/**
 * Refuses bodies over `maxSize` bytes. A declared Content-Length is checked from the header alone
 * (the HTTP server already holds the body to that length), without touching the body: reading it
 * here would make the Node server build a full Fetch Request for every call instead of reading the
 * body straight from the socket later. Chunked bodies are counted as they stream, by Hono's own.
 */
export function bodyLimit(maxSize: number, tooLarge: () => never) {
  const streaming = streamingBodyLimit({ maxSize, onError: tooLarge })
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    const length = c.req.header('content-length')
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number(length) > maxSize) tooLarge()
      return next()
    }
    return streaming(c, next)
  })
}

/**
 * A route family's limit: bodies over `bytes` answer 413 PAYLOAD_TOO_LARGE naming it, before
 * anything reads them. Declared where the family is mounted (app.ts).
 * @example api.use('/auth/*', maxBody(16 * KB)).route('/auth', authRoutes)
 */
export function maxBody(bytes: number) {
  const limit = bytes >= MB ? `${Math.round((bytes / MB) * 10) / 10} MB` : `${Math.round(bytes / KB)} KB`
  return bodyLimit(bytes, () => {
    throw new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit}, the most this endpoint takes`, { limitBytes: bytes })
  })
}
