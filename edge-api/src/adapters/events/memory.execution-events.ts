import type { ExecutionEvent, ExecutionEvents } from './execution-events.port'
import { createKeyedListeners } from './keyed-listeners'

export function createExecutionEvents(): ExecutionEvents {
  const listeners = createKeyedListeners<ExecutionEvent>()
  return {
    publish(executionId, event) {
      listeners.emit(executionId, event)
      if (event.type === 'finished') listeners.drop(executionId)
    },
    subscribe: listeners.add,
  }
}
