/**
 * Exponential backoff with jitter: attempt 1 waits ~base, attempt 2 ~2×base, ... capped at `max`;
 * the wait is drawn from [50 %, 100 %] of that so retries of many runs do not arrive together.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(exponential * (0.5 + random() / 2))
}
