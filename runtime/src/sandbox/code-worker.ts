/**
 * Worker-thread entry of the isolated code runner (worker-code-runner.ts): runs one code step at a
 * time in QuickJS and answers with its value or its failure. Nothing else lives in this thread.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { StepFailure } from '../engine/types'
import { createQuickJsCodeRunner } from './quickjs.code-runner'

interface Job {
  id: number
  source: string
  input: unknown
  timeoutMs: number
}

const runner = createQuickJsCodeRunner({ memoryBytes: (workerData as { memoryBytes?: number } | undefined)?.memoryBytes })
// Cancel arrives as terminate() from the pool; the signal here only serves the runner's interface.
const never = new AbortController().signal

parentPort!.on('message', (job: Job) => {
  runner.run(job.source, job.input, { timeoutMs: job.timeoutMs, signal: never }).then(
    (value) => parentPort!.postMessage({ id: job.id, ok: true, value }),
    (err: unknown) => {
      const f = err instanceof StepFailure ? err : new StepFailure(`The code sandbox failed: ${(err as Error).message}`, 'SYSTEM', { code: 'SANDBOX' })
      parentPort!.postMessage({ id: job.id, ok: false, message: f.message, kind: f.kind, options: f.options })
    },
  )
})
