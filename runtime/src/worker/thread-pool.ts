import { Worker } from 'node:worker_threads'

export interface ThreadPoolOptions {
  url: URL
  workerData?: unknown
  /** The thread's own V8 heap: beyond it V8 stops only this thread (ERR_WORKER_OUT_OF_MEMORY). */
  heapMb: number
  /** Threads at most; a task beyond waits for one. */
  maxThreads: number
  /** Idle threads end after this long, so an idle runtime keeps its small footprint. */
  idleMs: number
}

/** A thread's V8 limits for a heap of `heapMb`: a young generation in proportion, a 4 MB stack. */
export function threadResourceLimits(heapMb: number) {
  return { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(16, Math.max(2, Math.floor(heapMb / 8))), stackSizeMb: 4 }
}

export interface PooledThread {
  worker: Worker
  /** Resolves when the thread dies, with why: out of memory, or another crash. */
  died: Promise<{ outOfMemory: boolean; message: string }>
}

interface Slot extends PooledThread {
  busy: boolean
  dead: boolean
  idleTimer?: ReturnType<typeof setTimeout>
}

/**
 * Worker threads with a heap limit, one task at a time each. A thread that dies is dropped and the
 * next task gets a fresh one, so a task that blows its limit takes down nothing but itself.
 */
export function createThreadPool(opts: ThreadPoolOptions) {
  const slots: Slot[] = []
  const waiting: ((slot: Slot) => void)[] = []

  function spawn(): Slot {
    const worker = new Worker(opts.url, {
      workerData: opts.workerData,
      resourceLimits: threadResourceLimits(opts.heapMb),
    })
    worker.unref()
    const slot = { worker, busy: false, dead: false } as Slot
    slot.died = new Promise((resolve) => {
      worker.once('error', (err: Error & { code?: string }) => resolve({ outOfMemory: err.code === 'ERR_WORKER_OUT_OF_MEMORY', message: err.message }))
      worker.once('exit', (code) => resolve({ outOfMemory: false, message: `exited with code ${code}` }))
    })
    void slot.died.then(() => {
      slot.dead = true
      drop(slot)
    })
    slots.push(slot)
    return slot
  }

  function drop(slot: Slot): void {
    clearTimeout(slot.idleTimer)
    const i = slots.indexOf(slot)
    if (i < 0) return
    slots.splice(i, 1)
    // Someone waiting for a thread gets a fresh one.
    const next = waiting.shift()
    if (next) next(take())
  }

  function take(): Slot {
    const free = slots.find((s) => !s.busy && !s.dead) ?? spawn()
    clearTimeout(free.idleTimer)
    free.busy = true
    // A busy thread keeps the process alive (its death must still be heard); an idle one does not.
    free.worker.ref()
    return free
  }

  return {
    acquire(): Promise<PooledThread> {
      if (slots.some((s) => !s.busy && !s.dead) || slots.length < opts.maxThreads) return Promise.resolve(take())
      return new Promise((resolve) => waiting.push(resolve))
    },
    /** Gives a thread back; `healthy: false` ends it (a task it could not finish cleanly). */
    release(thread: PooledThread, healthy = true): void {
      const slot = thread as Slot
      if (!healthy || slot.dead) {
        drop(slot)
        void slot.worker.terminate()
        return
      }
      slot.busy = false
      slot.worker.unref()
      const next = waiting.shift()
      if (next) {
        slot.busy = true
        slot.worker.ref()
        next(slot)
        return
      }
      slot.idleTimer = setTimeout(() => {
        drop(slot)
        void slot.worker.terminate()
      }, opts.idleMs)
      slot.idleTimer.unref()
    },
    threads: () => slots.length,
    async close(): Promise<void> {
      await Promise.all(slots.splice(0).map((s) => (clearTimeout(s.idleTimer), s.worker.terminate())))
    },
  }
}

export type ThreadPool = ReturnType<typeof createThreadPool>
