import { WORKFLOW_LIMITS } from '@2bot/contracts'

/**
 * What one step's templates and expressions may build. Every string, list and object an evaluation
 * creates is charged as it is built (strings by length, lists by 8 bytes an element, JSON by
 * `jsonSize`), before the allocation where its size is known in advance, so a template that
 * repeats a large value, or `join(split(x, ''), x)`, stops at the limit instead of growing the
 * heap. The clock is read every 1,024 charges and walked nodes, so a step that stays under the
 * byte limit still cannot hold the event loop past its deadline.
 */
export class EvaluationLimit extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message)
    this.name = 'EvaluationLimit'
  }
}

export interface TimeLimit {
  /** Epoch milliseconds (the clock below). */
  deadline: number
  now(): number
  /** What the step failure says, e.g. "The workflow used more than 100 ms of CPU". */
  message: string
  code: string
}

const MB = 1024 * 1024
/** "1 MB", "512 KB", "300 bytes": a limit as a person reads it. */
export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${Math.round((bytes / MB) * 10) / 10} MB`
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`
  return `${bytes} bytes`
}

/** Bytes charged for each element of a list an evaluation creates (the reference it holds). */
export const ELEMENT_BYTES = 8

export class Budget {
  used = 0
  private ticks = 0

  constructor(
    readonly maxBytes: number,
    private readonly time?: TimeLimit,
  ) {}

  get remaining(): number {
    return this.maxBytes - this.used
  }

  /** Counts `bytes` about to be (or just) built; throws once the step is over its limit. */
  charge(bytes: number): void {
    this.used += bytes
    if (this.used > this.maxBytes) {
      throw new EvaluationLimit(
        `The step's output would be larger than ${formatBytes(this.maxBytes)} (the limit for one step: every text, list and object its templates and expressions build counts)`,
        'TEMPLATE_TOO_LARGE',
      )
    }
    this.tick()
  }

  /**
   * Charges a value placed into a result at its JSON size, less what building it already charged
   * (`already`): a value read from the scope costs its size, one the expression built costs nothing twice.
   */
  chargeValue(value: unknown, already: number): void {
    const size = jsonSize(value, this.remaining + already + 1, this)
    if (size > already) this.charge(size - already)
  }

  /** Called per unit of work: past the deadline the evaluation stops. Cheap between clock reads. */
  tick(): void {
    if ((++this.ticks & 1023) === 0 && this.time && this.time.now() > this.time.deadline) {
      throw new EvaluationLimit(this.time.message, this.time.code)
    }
  }
}

/** A budget for callers outside a run (tests, tools): one step's output limit, no deadline. */
export const defaultBudget = (): Budget => new Budget(WORKFLOW_LIMITS.maxVariableBytes)

/**
 * A cheap estimate of `JSON.stringify(value).length`, walked without recursion and abandoned as
 * soon as it passes `cap`, so a huge or deeply shared value costs at most `cap` steps to size.
 * It never counts more than the JSON holds (escapes and long numbers are counted short), so it
 * never refuses a value that fits.
 */
export function jsonSize(value: unknown, cap: number, budget?: Budget): number {
  if (typeof value === 'string') return value.length + 2
  if (value === null || typeof value !== 'object') return primitiveSize(value)
  let size = 0
  const stack: unknown[] = [value]
  while (stack.length > 0 && size <= cap) {
    const v = stack.pop()
    budget?.tick()
    if (typeof v === 'string') size += v.length + 2
    else if (v === null || typeof v !== 'object') size += primitiveSize(v)
    else if (Array.isArray(v)) {
      // Brackets and a comma per element, counted before the elements are queued.
      size += 2 + v.length
      if (size > cap) break
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i])
    } else {
      size += 2
      for (const key of Object.keys(v)) {
        size += key.length + 4
        if (size > cap) break
        stack.push((v as Record<string, unknown>)[key])
      }
    }
  }
  return size
}

/** Never more than the JSON text (a number is at least one digit), so the estimate is a lower bound. */
function primitiveSize(value: unknown): number {
  if (typeof value === 'number') return 1
  return 4
}
