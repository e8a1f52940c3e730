import { createGuardedHttpClient } from '../net/guarded-http'
import { createQuickJsCodeRunner } from '../sandbox/quickjs.code-runner'
import { createWorkerCodeRunner } from '../sandbox/worker-code-runner'
import { defaultExecutors } from '../steps/registry'
import type { CodeRunner, ExecutorRegistry, HttpClient, Limits } from '../engine/types'

/**
 * What a run and a gateway need from the runtime's configuration, as plain data: the main thread
 * builds its tools from it, and so does each worker thread (it travels as `workerData`).
 */
export interface ToolsConfig {
  codeMemoryMb: number
  codeIsolation: 'worker' | 'inline'
  codeThreads: number
  telegramApiRoot?: string
  /** Local mode: WEBHOOK gateways may opt in to services on this machine and its network. */
  allowPrivateNetworks: boolean
  /** Engine limits other than the workflow contract's (tests reach a thread's memory limit with them). */
  limits?: Partial<Limits>
}

export interface RunTools {
  limits?: Partial<Limits>
  executors: ExecutorRegistry
  http: HttpClient
  code: CodeRunner
}

export function buildRunTools(config: ToolsConfig): RunTools {
  return {
    limits: config.limits,
    executors: defaultExecutors(),
    // Webhook steps call public hosts only; private services are reached through an opted-in WEBHOOK gateway.
    http: createGuardedHttpClient(),
    code:
      config.codeIsolation === 'worker'
        ? createWorkerCodeRunner({ codeMemoryBytes: config.codeMemoryMb * 2 ** 20, maxWorkers: config.codeThreads })
        : createQuickJsCodeRunner({ memoryBytes: config.codeMemoryMb * 2 ** 20 }),
  }
}
