import type { QuickJSWASMModule } from 'quickjs-emscripten'
import { StepFailure, type CodeRunner } from '../engine/types'
import { newCappedQuickJsModule } from './capped-quickjs'

export interface QuickJsOptions {
  /** Heap limit per run; a memory bomb fails the step, not the process. */
  memoryBytes?: number
  stackBytes?: number
}

/**
 * User code runs in QuickJS compiled to WebAssembly: a separate heap with a memory limit, an
 * interrupt handler for the deadline and cancel, and no I/O at all — only the JSON `input` goes in
 * and a JSON value comes out. Nothing of the host (process, require, fetch) exists in there.
 *
 * The code runs on the caller's thread, so a cancel that arrives while it computes takes effect at
 * the step's deadline (5 s by default for code steps); isolating runs in worker threads comes with
 * the workspace limits.
 */
export function createQuickJsCodeRunner(opts: QuickJsOptions = {}): CodeRunner {
  let module: Promise<QuickJSWASMModule> | undefined
  return {
    async run(source, input, { timeoutMs, signal }) {
      if (signal.aborted) throw new StepFailure('The run was cancelled', 'USER', { retryable: false })
      const memoryBytes = opts.memoryBytes ?? 64 * 1024 * 1024
      // Code runs synchronously, one step at a time per module, so one capped memory serves them all;
      // the 16 MB over the step's limit is the module's own (stack, static data).
      module ??= newCappedQuickJsModule(memoryBytes + 16 * 2 ** 20)
      const runtime = (await module).newRuntime()
      runtime.setMemoryLimit(memoryBytes)
      // QuickJS must hit its own limit well before the WebAssembly stack ends, or the module aborts.
      runtime.setMaxStackSize(opts.stackBytes ?? 256 * 1024)
      const deadline = Date.now() + timeoutMs
      let interrupted: 'timeout' | 'cancelled' | undefined
      runtime.setInterruptHandler(() => {
        if (signal.aborted) interrupted = 'cancelled'
        else if (Date.now() > deadline) interrupted = 'timeout'
        return interrupted !== undefined
      })
      const context = runtime.newContext()
      try {
        const inputHandle = context.newString(JSON.stringify(input ?? null))
        context.setProp(context.global, '__input', inputHandle)
        inputHandle.dispose()
        const program = `(() => { const input = JSON.parse(globalThis.__input); const __result = (function (input) {\n${source}\n})(input); return __result === undefined ? 'null' : JSON.stringify(__result) })()`
        const result = context.evalCode(program, 'step.js')
        if (result.error) {
          const error = context.dump(result.error) as { name?: string; message?: string } | string
          result.error.dispose()
          if (interrupted === 'timeout') throw new StepFailure(`The code ran longer than ${timeoutMs} ms`, 'USER', { retryable: false, code: 'CODE_TIMEOUT' })
          if (interrupted === 'cancelled') throw new StepFailure('The run was cancelled', 'USER', { retryable: false })
          const message = typeof error === 'string' ? error : `${error?.name ?? 'Error'}: ${error?.message ?? 'unknown'}`
          if (/out of memory/i.test(message)) throw new StepFailure('The code used more memory than allowed', 'USER', { retryable: false, code: 'CODE_MEMORY' })
          throw new StepFailure(`The code threw ${message}`, 'USER', { retryable: false, code: 'CODE_ERROR' })
        }
        const text = context.getString(result.value)
        result.value.dispose()
        return JSON.parse(text ?? 'null')
      } catch (err) {
        if (err instanceof StepFailure) throw err
        // The WebAssembly module itself failed: start the next run on a fresh one.
        module = undefined
        throw new StepFailure(`The code sandbox failed: ${(err as Error).message}`, 'SYSTEM', { code: 'SANDBOX' })
      } finally {
        try {
          context.dispose()
          runtime.dispose()
        } catch {
          module = undefined
        }
      }
    },
  }
}
