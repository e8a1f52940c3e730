/**
 * At most `limit` grants in any window of `windowMs`, in arrival order; waiting callers can abort.
 *
 * A sliding-window log rather than a token bucket or bottleneck: Telegram counts messages per
 * second, and a bucket that starts full lets through up to twice the limit in the first second.
 * Keeping the last `limit` grant times is exact, a dozen lines, and needs no dependency.
 */
export class SlidingWindowLimiter {
  /** Grant times, oldest first; never more than `limit`. */
  private readonly granted: number[] = []
  private readonly waiting: Array<{ resolve: () => void; reject: (reason: unknown) => void; signal?: AbortSignal; onAbort?: () => void }> = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private pausedUntil = 0

  constructor(
    private limit: number,
    private readonly windowMs = 1000,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('The limit must be a positive integer')
  }

  /** Lowers the limit (never raises it): clients sharing a limiter get the strictest one. */
  tighten(limit: number): void {
    if (Number.isInteger(limit) && limit >= 1 && limit < this.limit) {
      this.limit = limit
      this.granted.splice(0, this.granted.length - limit)
    }
  }

  /** Holds every grant until `until` (ms), e.g. for Telegram's `retry_after`. */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until)
    this.schedule()
  }

  /** Resolves when the caller may go; rejects with `signal.reason` if it aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise<void>((resolve, reject) => {
      const entry: (typeof this.waiting)[number] = { resolve, reject, signal }
      if (signal) {
        entry.onAbort = () => {
          const i = this.waiting.indexOf(entry)
          if (i >= 0) this.waiting.splice(i, 1)
          reject(signal.reason)
          this.schedule()
        }
        signal.addEventListener('abort', entry.onAbort, { once: true })
      }
      this.waiting.push(entry)
      this.schedule()
    })
  }

  /** How many callers are waiting. */
  get pending(): number {
    return this.waiting.length
  }

  private schedule(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    while (this.waiting.length > 0) {
      const wait = this.waitMs()
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined
          this.schedule()
        }, wait)
        return
      }
      const entry = this.waiting.shift()!
      if (entry.signal && entry.onAbort) entry.signal.removeEventListener('abort', entry.onAbort)
      this.granted.push(this.now())
      if (this.granted.length > this.limit) this.granted.shift()
      entry.resolve()
    }
  }

  private waitMs(): number {
    const now = this.now()
    const paused = this.pausedUntil - now
    const full = this.granted.length >= this.limit ? this.granted[0]! + this.windowMs - now : 0
    return Math.max(paused, full, 0)
  }
}

const byToken = new Map<string, SlidingWindowLimiter>()

/** The process-wide limiter for one bot: every client of the same token shares it. */
export function limiterFor(token: string, perSecond: number): SlidingWindowLimiter {
  let limiter = byToken.get(token)
  if (!limiter) {
    limiter = new SlidingWindowLimiter(perSecond)
    byToken.set(token, limiter)
  } else {
    limiter.tighten(perSecond)
  }
  return limiter
}
