import type { ExecutionEvent, ExecutionEvents } from './execution-events.port'

export function createExecutionEvents(): ExecutionEvents {
  const listeners = new Map<string, Set<(event: ExecutionEvent) => void>>()
  return {
    publish(executionId, event) {
      listeners.get(executionId)?.forEach((l) => l(event))
      if (event.type === 'finished') listeners.delete(executionId)
    },
    subscribe(executionId, listener) {
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
