/**
 * Live news of executions in this process: each step attempt as it starts and ends, and the end of
 * the run. Feeds the canvas's live test run (server-sent events) and synchronous webhooks. Waiters
 * also read the database, so homes without process memory (Workers) still work, only slower.
 */
export type ExecutionEvent =
  | { type: 'step'; key: string; lease: number; attempt: number; status: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'SKIPPED'; output?: unknown; error?: string | null }
  /** The end of the run, with what a synchronous webhook answers (absent where the writer did not have it at hand). */
  | { type: 'finished'; status: string; result?: unknown; error?: string | null }

export interface ExecutionEvents {
  publish(executionId: string, event: ExecutionEvent): void
  subscribe(executionId: string, listener: (event: ExecutionEvent) => void): () => void
}
