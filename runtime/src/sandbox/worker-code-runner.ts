import { Worker } from 'node:worker_threads'
import { StepFailure, type CodeRunner, type ErrorKind } from '../engine/types'

export interface WorkerCodeRunnerOptions {
  /** QuickJS heap per run. */
  codeMemoryBytes?: number
  /** The worker thread's own V8 heap (host side: input, output JSON); a run beyond it kills only its worker. */
  workerHeapMb?: number
  /** Threads at most (runs beyond wait for one); default 4. */
  maxWorkers?: number
  /** Idle threads end after this long, so an idle runtime keeps its small footprint. */
  idleMs?: number
}

interface Slot {
  worker: Worker
  busy: boolean
  idleTimer?: ReturnType<typeof setTimeout>
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string; kind: ErrorKind; options: { retryable?: boolean; code?: string } }

/** In the bundle the worker is `code-worker.mjs` beside it; from source (tsx, tests) a bootstrap that loads the .ts. */
function workerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './code-worker.dev.mjs' : './code-worker.mjs', import.meta.url)
}

/**
 * Code steps isolated per run: each runs in a worker thread with its own V8 heap limit
 * (`resourceLimits`) around the QuickJS sandbox. A cancel or a hard deadline terminates the thread
 * at once, even mid-computation; a thread that dies (out of memory, a sandbox abort) fails only
 * its own step, and the next run gets a fresh thread. Runs of different workflows compute in
 * parallel on as many cores as the workspace has.
 */
export function createWorkerCodeRunner(opts: WorkerCodeRunnerOptions = {}): CodeRunner & { threads(): number; close(): Promise<void> } {
  const slots: Slot[] = []
  const waiting: ((slot: Slot) => void)[] = []
  const maxWorkers = opts.maxWorkers ?? 4
  const idleMs = opts.idleMs ?? 30_000
  let nextId = 1

  function spawn(): Slot {
    const worker = new Worker(workerUrl(), {
      workerData: { memoryBytes: opts.codeMemoryBytes },
      resourceLimits: { maxOldGenerationSizeMb: opts.workerHeapMb ?? 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    })
    worker.unref()
    const slot: Slot = { worker, busy: false }
    slots.push(slot)
    return slot
  }

  function discard(slot: Slot): void {
    clearTimeout(slot.idleTimer)
    const i = slots.indexOf(slot)
    if (i >= 0) slots.splice(i, 1)
    void slot.worker.terminate()
    // Someone waiting for a thread gets a fresh one.
    const next = waiting.shift()
    if (next) next(take())
  }

  function take(): Slot {
    const free = slots.find((s) => !s.busy) ?? spawn()
    clearTimeout(free.idleTimer)
    free.busy = true
    return free
  }

  function acquire(): Promise<Slot> {
    if (slots.some((s) => !s.busy) || slots.length < maxWorkers) return Promise.resolve(take())
    return new Promise((resolve) => waiting.push(resolve))
  }

  function release(slot: Slot): void {
    slot.busy = false
    const next = waiting.shift()
    if (next) {
      slot.busy = true
      next(slot)
      return
    }
    slot.idleTimer = setTimeout(() => discard(slot), idleMs)
    slot.idleTimer.unref()
  }

  return {
    async run(source, input, { timeoutMs, signal }) {
      if (signal.aborted) throw new StepFailure('The run was cancelled', 'USER', { retryable: false })
      const slot = await acquire()
      const id = nextId++
      return new Promise<unknown>((resolve, reject) => {
        let settled = false
        const finish = (healthy: boolean, outcome: () => void) => {
          if (settled) return
          settled = true
          clearTimeout(backstop)
          signal.removeEventListener('abort', onAbort)
          slot.worker.off('message', onMessage)
          slot.worker.off('error', onError)
          slot.worker.off('exit', onExit)
          if (healthy) release(slot)
          else discard(slot)
          outcome()
        }
        const onMessage = (reply: Reply) => {
          if (reply.id !== id) return
          finish(true, () => (reply.ok ? resolve(reply.value) : reject(new StepFailure(reply.message, reply.kind, reply.options))))
        }
        const onError = (err: Error & { code?: string }) => {
          const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          finish(false, () =>
            reject(
              oom
                ? new StepFailure('The code used more memory than its run may (its worker was stopped)', 'USER', { retryable: false, code: 'CODE_MEMORY' })
                : new StepFailure(`The code sandbox failed: ${err.message}`, 'SYSTEM', { code: 'SANDBOX' }),
            ),
          )
        }
        const onExit = () => finish(false, () => reject(new StepFailure('The code sandbox stopped unexpectedly', 'SYSTEM', { code: 'SANDBOX' })))
        const onAbort = () => finish(false, () => reject(new StepFailure('The run was cancelled', 'USER', { retryable: false })))
        // QuickJS's own deadline normally answers first; this one ends a thread that cannot.
        const backstop = setTimeout(() => finish(false, () => reject(new StepFailure(`The code ran longer than ${timeoutMs} ms`, 'USER', { retryable: false, code: 'CODE_TIMEOUT' }))), timeoutMs + 2000)
        signal.addEventListener('abort', onAbort, { once: true })
        slot.worker.on('message', onMessage)
        slot.worker.on('error', onError)
        slot.worker.on('exit', onExit)
        slot.worker.postMessage({ id, source, input, timeoutMs })
      })
    },
    threads: () => slots.length,
    async close() {
      await Promise.all(slots.splice(0).map((s) => (clearTimeout(s.idleTimer), s.worker.terminate())))
    },
  }
}
