import type { RunOp, RunOpResult } from '@2bot/contracts'

/** What the batcher needs of the transport: one request with these serialised ops, one result each. */
export type SendOps = (opsJson: string[]) => Promise<RunOpResult[]>

export interface RunOpsBatcher {
  submit(op: RunOp): Promise<RunOpResult>
}

/** A batch the platform refused as a whole (400, 413): one op in it is at fault, not the others. */
const refusedWhole = (err: unknown) => {
  const status = (err as { status?: unknown }).status
  return status === 400 || status === 413
}

/**
 * Coalesces the runs' calls (steps started, checkpoints, heartbeats) into batches: one request in
 * flight at a time, and whatever the runs ask meanwhile goes in the next one. Under load the
 * platform then pays one transaction for many runs. An idle batcher sends at the end of the
 * current turn of the event loop (setImmediate), not at once: what the runs ask in the same turn
 * (a step's start and the checkpoints held before it, the answers of several HTTP steps read in
 * one poll) travels in one request.
 * Each op is serialised once, on submit, so a batch's size is known before it is sent (at most
 * `maxOps` ops and `maxBytes` of JSON, below what the platform takes from a runtime). A batch
 * refused whole is resent op by op, so the op at fault fails alone.
 */
export function createRunOpsBatcher(send: SendOps, opts: { maxOps?: number; maxBytes?: number } = {}): RunOpsBatcher {
  const maxOps = opts.maxOps ?? 500
  const maxBytes = opts.maxBytes ?? 8 * 2 ** 20
  const queue: { json: string; resolve(r: RunOpResult): void; reject(err: unknown): void }[] = []
  let inFlight = false
  let scheduled = false

  const take = () => {
    let bytes = 0
    let n = 0
    while (n < queue.length && n < maxOps && (n === 0 || bytes + queue[n]!.json.length <= maxBytes)) bytes += queue[n++]!.json.length
    return queue.splice(0, n)
  }

  async function pump(): Promise<void> {
    scheduled = false
    inFlight = true
    while (queue.length > 0) {
      const batch = take()
      try {
        const results = await send(batch.map((b) => b.json))
        batch.forEach((b, i) => b.resolve(results[i]!))
      } catch (err) {
        if (batch.length > 1 && refusedWhole(err)) {
          for (const b of batch) await send([b.json]).then(([r]) => b.resolve(r!), b.reject)
        } else batch.forEach((b) => b.reject(err))
      }
    }
    inFlight = false
  }

  return {
    submit(op) {
      return new Promise<RunOpResult>((resolve, reject) => {
        queue.push({ json: JSON.stringify(op), resolve, reject })
        if (!inFlight && !scheduled) {
          scheduled = true
          setImmediate(() => void pump())
        }
      })
    },
  }
}
