import { computed, shallowRef } from 'vue'

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

/**
 * A small undo/redo history of snapshots (definitions). `commit` records a new present and drops the
 * redo stack; at most `limit` past entries are kept.
 * @example const h = useHistory(def); h.commit(next); h.undo() // → def
 */
export function useHistory<T>(initial: T, limit = 50) {
  const past = shallowRef<T[]>([])
  const future = shallowRef<T[]>([])
  const present = shallowRef<T>(clone(initial))

  function commit(next: T) {
    past.value = [...past.value, present.value].slice(-limit)
    future.value = []
    present.value = clone(next)
  }
  function undo(): T | undefined {
    const previous = past.value.at(-1)
    if (previous === undefined) return undefined
    past.value = past.value.slice(0, -1)
    future.value = [present.value, ...future.value]
    present.value = previous
    return previous
  }
  function redo(): T | undefined {
    const [next, ...rest] = future.value
    if (next === undefined) return undefined
    future.value = rest
    past.value = [...past.value, present.value].slice(-limit)
    present.value = next
    return next
  }
  /** Starts over (after a load): no undo past this point. */
  function reset(value: T) {
    past.value = []
    future.value = []
    present.value = clone(value)
  }

  return {
    present: computed(() => present.value),
    canUndo: computed(() => past.value.length > 0),
    canRedo: computed(() => future.value.length > 0),
    commit,
    undo,
    redo,
    reset,
  }
}
