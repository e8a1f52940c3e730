import { getCurrentScope, onScopeDispose } from 'vue'

export type Off = () => void

/**
 * One event a composable announces (`onSaved`, `onSelectionChange`, ...): `on` adds a listener and
 * returns its removal; a listener added inside a component or effect scope is removed with it.
 * @example const saved = createEventHook<number>(); saved.on((v) => …); saved.emit(3)
 */
export function createEventHook<T = void>() {
  const listeners = new Set<(value: T) => void>()
  function on(listener: (value: T) => void): Off {
    listeners.add(listener)
    const off = () => void listeners.delete(listener)
    if (getCurrentScope()) onScopeDispose(off)
    return off
  }
  function emit(value: T) {
    for (const listener of [...listeners]) listener(value)
  }
  return { on, emit }
}
