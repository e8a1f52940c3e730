import type { Worker } from 'node:worker_threads'
import { abortableSleep } from '../engine/sleep'
import { StepFailure } from '../engine/types'
import type { Rpc } from './thread-rpc'

export interface KeyedThreadsOptions {
  /** Starts the thread for a key (a gateway id, a plugin slug), with its calls back to this thread. */
  spawn(key: string): { worker: Worker; rpc: Rpc }
  /** What runs in the threads, for messages and logs: `Gateway`, `Plugin`. */
  label: string
  /** Each thread's memory limit, named when one runs out. */
  memoryMb: number
  /** The StepFailure codes of calls that were in flight on a thread that died. */
  codes: { outOfMemory: string; crashed: string }
  log?(level: 'warn', msg: string, fields?: Record<string, unknown>): void
  /** Threads alive at most: a new one retires the least recently used idle thread, or waits for one to fall idle. */
  maxThreads: number
  /** A thread with no call for this long ends (it starts again on the next call). */
  idleMs: number
  /** After a crash, the key's next thread starts no sooner than this (a crash loop backs off). */
  restartDelayMs: number
}

export interface KeyedThread {
  worker: Worker
  rpc: Rpc
  calls: number
  lastUsed: number
  idleTimer?: ReturnType<typeof setTimeout>
  /** Ended on purpose (idle, making room, shutdown): its exit is not a crash. */
  retiring?: boolean
}

/**
 * One long-lived worker thread per key, started on the key's first call (the gateway and plugin
 * bulkheads). A thread that dies fails its calls in flight with a retryable StepFailure naming the
 * key, and the next call starts it again;
 * idle threads end, and at the cap the least recently used idle one makes room.
 */
export function createKeyedThreads(opts: KeyedThreadsOptions) {
  const threads = new Map<string, KeyedThread>()
  const crashedAt = new Map<string, number>()
  let crashes = 0
  let roomWaiters: (() => void)[] = []
  /** Something may have made room (a call ended, a thread went): every waiter looks again. */
  const roomChanged = () => {
    const waiters = roomWaiters
    roomWaiters = []
    waiters.forEach((wake) => wake())
  }

  function spawn(key: string): KeyedThread {
    const { worker, rpc } = opts.spawn(key)
    worker.unref()
    const thread: KeyedThread = { worker, rpc, calls: 0, lastUsed: Date.now() }
    let ended = false
    const died = (outOfMemory: boolean, detail: string) => {
      if (ended) return
      ended = true
      clearTimeout(thread.idleTimer)
      if (threads.get(key) === thread) threads.delete(key)
      roomChanged()
      if (thread.retiring) return rpc.failPending(new Error('The thread was taken out of service'))
      crashedAt.set(key, Date.now())
      crashes++
      opts.log?.('warn', `${opts.label.toLowerCase()} thread died`, { key, outOfMemory, detail })
      const message = outOfMemory
        ? `${opts.label} "${key}" used more than its ${opts.memoryMb} MB of memory and was stopped; it starts again on the next call`
        : `${opts.label} "${key}" stopped unexpectedly (${detail}); it starts again on the next call`
      // Retryable: steps retry by their policy, and the next call gets a fresh thread.
      rpc.failPending(new StepFailure(message, 'SYSTEM', { retryable: true, code: outOfMemory ? opts.codes.outOfMemory : opts.codes.crashed }))
    }
    worker.once('error', (err: Error & { code?: string }) => died(err.code === 'ERR_WORKER_OUT_OF_MEMORY', err.message))
    worker.once('exit', (code) => died(false, `exit code ${code}`))
    threads.set(key, thread)
    return thread
  }

  /** Takes a thread out of service: the key's next call starts a fresh one; it ends once its calls are over. */
  function retire(key: string, thread: KeyedThread): void {
    thread.retiring = true
    clearTimeout(thread.idleTimer)
    if (threads.get(key) === thread) threads.delete(key)
    if (thread.calls === 0) void thread.worker.terminate()
    roomChanged()
  }

  /** At the cap: retires the least recently used idle thread, or waits until a call ends or a thread goes. */
  async function makeRoom(signal: AbortSignal): Promise<void> {
    const idle = [...threads].filter(([, t]) => t.calls === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0]
    if (idle) return retire(idle[0], idle[1])
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      roomWaiters.push(() => (signal.removeEventListener('abort', onAbort), resolve()))
    })
  }

  return {
    /**
     * The key's thread with this call counted on it. Counted in the same turn it is found or
     * started, so no other call can take it for idle and retire it in between.
     */
    async claim(key: string, signal: AbortSignal): Promise<KeyedThread> {
      const claim = (thread: KeyedThread) => {
        thread.calls++
        thread.lastUsed = Date.now()
        clearTimeout(thread.idleTimer)
        // A thread with calls in flight keeps the process alive (its death must still be heard).
        thread.worker.ref()
        return thread
      }
      const existing = threads.get(key)
      if (existing) return claim(existing)
      const wait = (crashedAt.get(key) ?? 0) + opts.restartDelayMs - Date.now()
      if (wait > 0) await abortableSleep(wait, signal)
      // Each check and its spawn happen in one turn, so racing calls cannot pass the cap together.
      for (;;) {
        const started = threads.get(key)
        if (started) return claim(started)
        if (threads.size < opts.maxThreads) return claim(spawn(key))
        await makeRoom(signal)
      }
    },
    /** The call is over: an idle thread may end after idleMs, and may make room for another key. */
    release(key: string, thread: KeyedThread): void {
      thread.calls--
      clearTimeout(thread.idleTimer)
      if (thread.retiring) {
        if (thread.calls === 0) void thread.worker.terminate()
        return
      }
      if (thread.calls > 0) return
      thread.worker.unref()
      thread.idleTimer = setTimeout(() => retire(key, thread), opts.idleMs)
      thread.idleTimer.unref()
      roomChanged()
    },
    get: (key: string) => threads.get(key),
    retire,
    threads: () => threads.size,
    /** Threads that died since start (health, tests). */
    crashes: () => crashes,
    async close(): Promise<void> {
      const all = [...threads.values()]
      threads.clear()
      await Promise.all(all.map((t) => ((t.retiring = true), clearTimeout(t.idleTimer), t.worker.terminate())))
    },
  }
}
