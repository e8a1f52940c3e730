/**
 * What PostgreSQL cannot store: NUL (U+0000) in `text` ("invalid byte sequence") or in `jsonb`
 * ("unsupported Unicode escape sequence"), and UTF-16 halves without their partner, which
 * `JSON.stringify` writes as `\udXXX` escapes that `jsonb` refuses. The edge either refuses such
 * input (names, identifiers, definitions: a 400 naming the field) or rewrites it with U+FFFD
 * (payloads from outside: webhook bodies, step outputs), so nothing reaches the database wrong.
 */

/** Request bodies nested deeper than this (objects and arrays) are refused before anything walks them recursively. */
export const MAX_JSON_DEPTH = 64

/**
 * How a route family takes JSON: how deep it may nest, and whether text PostgreSQL cannot store
 * is refused with a 400 naming the field, or rewritten with U+FFFD.
 */
export interface JsonInputPolicy {
  maxDepth: number
  text: 'refuse' | 'normalise'
}

const SUSPECT = /[\0\uD800-\uDFFF]/
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const UNSTORABLE_ALL = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** The first character of `text` PostgreSQL cannot store, as `U+XXXX`, or undefined. */
export function unstorableChar(text: string): string | undefined {
  if (!SUSPECT.test(text)) return undefined
  const hit = UNSTORABLE.exec(text)
  return hit ? `U+${hit[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined
}

/** `text` with every character PostgreSQL cannot store replaced by U+FFFD (the same string when there is none). */
export function storableText(text: string): string {
  return SUSPECT.test(text) && UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, '\uFFFD') : text
}

export type JsonScan = { tooDeep: true } | { tooDeep: false; unstorable: boolean }

/**
 * Walks parsed JSON without recursion, so any depth is safe to scan: whether it nests deeper than
 * `maxDepth` containers (the root object or array is level 1; stops at the first one deeper), and
 * whether any string or key holds a character PostgreSQL cannot store.
 * @example scanJson({ a: [{}] }, 2) → { tooDeep: true }
 */
export function scanJson(value: unknown, maxDepth: number): JsonScan {
  let unstorable = false
  const values: unknown[] = [value]
  const depths: number[] = [0]
  while (values.length > 0) {
    const v = values.pop()
    const depth = depths.pop()!
    if (typeof v === 'string') {
      if (!unstorable && unstorableChar(v)) unstorable = true
      continue
    }
    if (v === null || typeof v !== 'object') continue
    if (depth + 1 > maxDepth) return { tooDeep: true }
    if (Array.isArray(v)) {
      for (const item of v) {
        values.push(item)
        depths.push(depth + 1)
      }
      continue
    }
    for (const key of Object.keys(v)) {
      if (!unstorable && unstorableChar(key)) unstorable = true
      values.push((v as Record<string, unknown>)[key])
      depths.push(depth + 1)
    }
  }
  return { tooDeep: false, unstorable }
}

/**
 * The path and character of the first string or key PostgreSQL cannot store, or undefined.
 * Recursive: call it on values whose depth `scanJson` has bounded.
 */
export function findUnstorable(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; char: string } | undefined {
  if (typeof value === 'string') {
    const char = unstorableChar(value)
    return char ? { path, char } : undefined
  }
  if (value === null || typeof value !== 'object') return undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnstorable(value[i], [...path, i])
      if (hit) return hit
    }
    return undefined
  }
  for (const [key, item] of Object.entries(value)) {
    const char = unstorableChar(key)
    if (char) return { path: [...path, storableText(key)], char }
    const hit = findUnstorable(item, [...path, key])
    if (hit) return hit
  }
  return undefined
}

/**
 * `value` with every string and key made storable (see `storableText`); parts that need no change
 * are kept as they are, and a value that needs none is returned itself. Recursive: call it on
 * values whose depth is bounded (`scanJson`, or the engine's output depth limit).
 * @example toStorable({ text: 'a\u0000b' }) → { text: 'a\uFFFDb' }
 */
export function toStorable<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    let out: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const item = toStorable(value[i])
      if (item !== value[i]) (out ??= value.slice())[i] = item
    }
    return (out ?? value) as T
  }
  const entries = Object.entries(value)
  let changed = false
  const next = entries.map(([key, item]): [string, unknown] => {
    const k = storableText(key)
    const v = toStorable(item)
    if (k !== key || v !== item) changed = true
    return [k, v]
  })
  // fromEntries defines own properties, so a "__proto__" key stays a key.
  return (changed ? Object.fromEntries(next) : value) as T
}
