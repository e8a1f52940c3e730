import { vValidator } from '@hono/valibot-validator'
import type { ValidationTargets } from 'hono'
import { createMiddleware } from 'hono/factory'
import { validator } from 'hono/validator'
import * as v from 'valibot'
import type { AppEnv } from '../env'
import { AppError } from '../lib/errors'
import { findUnstorable, MAX_JSON_DEPTH, scanJson, toStorable, type JsonInputPolicy } from '../lib/storable-json'

/** Users write names, definitions and settings: a character that cannot be stored is a mistake to point at. */
export const USER_JSON: JsonInputPolicy = { maxDepth: MAX_JSON_DEPTH, text: 'refuse' }

/**
 * A family's JSON policy, declared where it is mounted (app.ts); `validate` reads it.
 * @example api.use('/runtime/*', jsonInput({ maxDepth: 108, text: 'normalise' }))
 */
export function jsonInput(policy: JsonInputPolicy) {
  return createMiddleware<AppEnv>(async (c, next) => {
    c.set('jsonInput', policy)
    await next()
  })
}

/**
 * Depth first, without recursion, so nothing after it (valibot's lazy schemas, the database) meets
 * a body it cannot take; then text PostgreSQL cannot store, refused naming its field or rewritten.
 * For bodies read without `validate` (signed queue deliveries).
 */
export function screened(target: keyof ValidationTargets, value: unknown, policy: JsonInputPolicy = USER_JSON): unknown {
  const scan = scanJson(value, policy.maxDepth)
  if (scan.tooDeep) {
    throw new AppError('TOO_DEEP', `The request body is nested deeper than ${policy.maxDepth} levels, the most this endpoint takes`, { maxDepth: policy.maxDepth })
  }
  if (!scan.unstorable) return value
  if (policy.text === 'normalise' && target === 'json') return toStorable(value)
  const hit = findUnstorable(value)!
  const path = hit.path.join('.')
  const message = `Contains ${hit.char}, a character that cannot be stored; remove it`
  throw new AppError('VALIDATION_FAILED', `Invalid ${target}: ${path ? `${path}: ` : ''}${message}`, [{ path, message }])
}

function failed(target: keyof ValidationTargets, issues: v.BaseIssue<unknown>[]): never {
  const details = issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message }))
  throw new AppError('VALIDATION_FAILED', `Invalid ${target}: ${details[0]?.path ? `${details[0].path}: ` : ''}${details[0]?.message ?? 'invalid'}`, details)
}

/** valibot through vValidator, failures in the app's error shape. */
const plain = <T extends keyof ValidationTargets, S extends v.GenericSchema | v.GenericSchemaAsync>(target: T, schema: S) =>
  vValidator(target, schema, (result) => {
    if (!result.success) failed(target, result.issues)
  })

/**
 * valibot validation whose failures use the app's error shape, with one entry per bad field:
 * `details: [{ path: 'password', message: '...' }]`. A JSON body is screened first (see
 * `JsonInputPolicy`): too deep answers 400 TOO_DEEP with `details.maxDepth`; text that cannot be
 * stored is refused naming its field, or rewritten where the family says so. (Queries and path
 * parameters come from the URL, which `storableUrl` has already screened.)
 */
export function validate<T extends keyof ValidationTargets, S extends v.GenericSchema | v.GenericSchemaAsync>(target: T, schema: S) {
  if (target !== 'json') return plain(target, schema)
  const screening = validator(target, async (value, c) => {
    const input = screened(target, value, c.get('jsonInput') ?? USER_JSON)
    const result = await v.safeParseAsync(schema, input)
    if (!result.success) failed(target, result.issues)
    return result.output
  })
  // The same middleware as vValidator's to the typed client (`hc<AppType>`), screened before it parses.
  return screening as unknown as ReturnType<typeof plain<T, S>>
}
