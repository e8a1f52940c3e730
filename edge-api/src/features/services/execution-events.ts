/**
 * "This execution has finished", for callers that wait on a run (synchronous webhooks). In one
 * process (embedded mode) it is instant; everywhere the waiter also polls, so it works across
 * Workers isolates too.
 */
export interface ExecutionEvents {
  finished(executionId: string): void
  onFinished(executionId: string, listener: () => void): () => void
}

export function createExecutionEvents(): ExecutionEvents {
  const listeners = new Map<string, Set<() => void>>()
  return {
    finished(executionId) {
      listeners.get(executionId)?.forEach((l) => l())
      listeners.delete(executionId)
    },
    onFinished(executionId, listener) {
      let set = listeners.get(executionId)
      if (!set) listeners.set(executionId, (set = new Set()))
      set.add(listener)
      return () => {
        set.delete(listener)
        if (set.size === 0) listeners.delete(executionId)
      }
    },
  }
}
