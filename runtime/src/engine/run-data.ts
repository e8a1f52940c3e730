import { WORKFLOW_LIMITS } from '@2bot/contracts'
import type { StepRecord } from './types'

/** UTF-8 bytes of `text`: what it weighs in a checkpoint's body, where non-Latin text counts 2–3× its length. */
export function utf8Length(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // Surrogate halves count 2 each: a pair is 4 bytes.
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2
  }
  return bytes
}

/**
 * A message as a checkpoint may carry it: at most `max` characters, the cut said at its end.
 * @example truncateMessage('x'.repeat(10_000_000)) → 'xxx…… (truncated, 10000000 bytes)' (4,096 characters)
 */
export function truncateMessage(message: string, max: number = WORKFLOW_LIMITS.maxErrorChars): string {
  if (message.length <= max) return message
  const suffix = `… (truncated, ${utf8Length(message)} bytes)`
  let cut = max - suffix.length
  const last = message.charCodeAt(cut - 1)
  if (last >= 0xd800 && last <= 0xdbff) cut-- // never split a surrogate pair
  return message.slice(0, cut) + suffix
}

/** What a record adds to a run's state besides its output and error: its key, status, times. */
const RECORD_OVERHEAD = 160

/**
 * The bytes one record adds to the run's state (and so to every checkpoint): output (already
 * measured), error message, key and bookkeeping. Summed against maxRunDataBytes.
 */
export function recordBytes(key: string, outputBytes: number, record: Pick<StepRecord, 'error'>): number {
  return RECORD_OVERHEAD + key.length + outputBytes + (record.error ? utf8Length(record.error.message) + (record.error.code?.length ?? 0) : 0)
}

/**
 * Whether `value` nests more than `max` objects and arrays (the outermost is level 1), walked
 * without recursion and stopped at the first level too deep, so any value is safe to ask about.
 * @example nestedDeeper({ a: [[]] }, 2) → true
 */
export function nestedDeeper(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false
  const values: object[] = [value]
  const depths: number[] = [1]
  while (values.length > 0) {
    const v = values.pop()!
    const depth = depths.pop()!
    if (depth > max) return true
    for (const item of Array.isArray(v) ? v : Object.values(v)) {
      if (item === null || typeof item !== 'object') continue
      values.push(item)
      depths.push(depth + 1)
    }
  }
  return false
}
