// After the current turn of the event loop: requests already received get to join the batch.
const defer: (fn: () => void) => void = typeof setImmediate === 'function' ? (fn) => setImmediate(fn) : (fn) => setTimeout(fn, 0)

/**
 * Group commit: items that arrive while a write is being prepared or made go together in the next
 * one, so a burst costs a few statements instead of one each. Nobody waits for a timer; a write
 * starts after the current turn of the event loop (PGlite works on this thread, so writing at once
 * would write each item alone while received requests wait). A batch that fails is retried item
 * by item, so one bad row cannot take its neighbours down with it.
 *
 * `write` takes a batch and returns one result per item, in order.
 */
export function groupCommit<T, R>(write: (batch: T[]) => Promise<R[]>, maxBatch = 200): (item: T) => Promise<R> {
  const pending: { item: T; resolve(r: R): void; reject(err: unknown): void }[] = []
  let flushing = false

  async function flush(): Promise<void> {
    const batch = pending.splice(0, maxBatch)
    try {
      const results = await write(batch.map((b) => b.item))
      batch.forEach((b, i) => b.resolve(results[i]!))
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err)
      else for (const b of batch) await write([b.item]).then(([r]) => b.resolve(r!), b.reject)
    }
    if (pending.length > 0) defer(() => void flush())
    else flushing = false
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      pending.push({ item, resolve, reject })
      if (flushing) return
      flushing = true
      defer(() => void flush())
    })
}
