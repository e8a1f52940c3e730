import { vValidator } from '@hono/valibot-validator'
import type { ValidationTargets } from 'hono'
import * as v from 'valibot'
import { AppError } from '../lib/errors'

/**
 * valibot validation whose failures use the app's error shape, with one entry per bad field:
 * `details: [{ path: 'password', message: '...' }]`.
 */
export function validate<T extends keyof ValidationTargets, S extends v.GenericSchema | v.GenericSchemaAsync>(target: T, schema: S) {
  return vValidator(target, schema, (result) => {
    if (!result.success) {
      const details = result.issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message }))
      throw new AppError('VALIDATION_FAILED', `Invalid ${target}: ${details[0]?.path ? `${details[0].path}: ` : ''}${details[0]?.message ?? 'invalid'}`, details)
    }
  })
}
