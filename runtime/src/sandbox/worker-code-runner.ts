import { StepFailure, type CodeRunner, type ErrorKind } from '../engine/types'
import { createThreadPool } from '../worker/thread-pool'

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
  const pool = createThreadPool({
    url: workerUrl(),
    workerData: { memoryBytes: opts.codeMemoryBytes },
    heapMb: opts.workerHeapMb ?? 64,
    maxThreads: opts.maxWorkers ?? 4,
    idleMs: opts.idleMs ?? 30_000,
  })
  let nextId = 1

  return {
    async run(source, input, { timeoutMs, signal }) {
      if (signal.aborted) throw new StepFailure('The run was cancelled', 'USER', { retryable: false })
      const thread = await pool.acquire()
      const id = nextId++
      return new Promise<unknown>((resolve, reject) => {
        let settled = false
        const finish = (healthy: boolean, outcome: () => void) => {
          if (settled) return
          settled = true
          clearTimeout(backstop)
          signal.removeEventListener('abort', onAbort)
          thread.worker.off('message', onMessage)
          // An unhealthy thread (cancelled, past its deadline, dead) is ended; the next run gets a fresh one.
          pool.release(thread, healthy)
          outcome()
        }
        const onMessage = (reply: Reply) => {
          if (reply.id !== id) return
          finish(true, () => (reply.ok ? resolve(reply.value) : reject(new StepFailure(reply.message, reply.kind, reply.options))))
        }
        void thread.died.then(({ outOfMemory, message }) =>
          finish(false, () =>
            reject(
              outOfMemory
                ? new StepFailure('The code used more memory than its run may (its worker was stopped)', 'USER', { retryable: false, code: 'CODE_MEMORY' })
                : new StepFailure(`The code sandbox stopped unexpectedly (${message})`, 'SYSTEM', { code: 'SANDBOX' }),
            ),
          ),
        )
        const onAbort = () => finish(false, () => reject(new StepFailure('The run was cancelled', 'USER', { retryable: false })))
        // QuickJS's own deadline normally answers first; this one ends a thread that cannot.
        const backstop = setTimeout(() => finish(false, () => reject(new StepFailure(`The code ran longer than ${timeoutMs} ms`, 'USER', { retryable: false, code: 'CODE_TIMEOUT' }))), timeoutMs + 2000)
        signal.addEventListener('abort', onAbort, { once: true })
        thread.worker.on('message', onMessage)
        thread.worker.postMessage({ id, source, input, timeoutMs })
      })
    },
    threads: pool.threads,
    close: pool.close,
  }
}
