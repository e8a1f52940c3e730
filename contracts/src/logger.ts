export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void
}

const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|credential|authorization|cookie|bearer|csrf/i
const SECRET_VALUE = /\b(2bot_[A-Za-z0-9_-]{8,}|Bearer\s+\S+|sk-[A-Za-z0-9_-]{8,})/g

/** Replaces values under secret-looking keys and secret-looking substrings, at any depth. */
export function scrub(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[depth]'
  if (typeof value === 'string') return value.replace(SECRET_VALUE, '[redacted]')
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1))
  if (value && typeof value === 'object') {
    if (value instanceof Error) return { name: value.name, message: scrub(value.message, depth + 1) }
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : scrub(v, depth + 1)
    return out
  }
  return value
}

/** One JSON object per line, secrets scrubbed; `write` is the sink (console by default). */
export function createJsonLogger(opts: { minLevel?: LogLevel; write?: (line: string) => void; clock?: () => Date } = {}): Logger {
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error']
  const min = order.indexOf(opts.minLevel ?? 'info')
  const write = opts.write ?? ((line: string) => console.log(line))
  const now = opts.clock ?? (() => new Date())
  return {
    log(level, msg, fields) {
      if (order.indexOf(level) < min) return
      write(JSON.stringify({ time: now().toISOString(), level, msg, ...(scrub(fields ?? {}) as LogFields) }))
    },
  }
}

export const silentLogger: Logger = { log() {} }
