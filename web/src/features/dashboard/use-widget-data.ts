import { getCurrentScope, onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue'

/**
 * Loads a widget's data now and again every `refreshSeconds` (0 = only on demand); the timer
 * follows changes of the interval and stops with the widget. A failed refresh keeps the last data.
 */
export function useWidgetData<T>(loader: () => Promise<T>, refreshSeconds: Ref<number>) {
  const data = shallowRef<T | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  let timer: ReturnType<typeof setInterval> | undefined
  let generation = 0

  async function refresh() {
    const gen = ++generation
    loading.value = true
    try {
      const value = await loader()
      if (gen !== generation) return
      data.value = value
      error.value = null
    } catch (err) {
      if (gen === generation) error.value = err instanceof Error ? err.message : 'Could not load this widget'
    } finally {
      if (gen === generation) loading.value = false
    }
  }

  function schedule(seconds: number) {
    clearInterval(timer)
    // A hidden tab skips its turns: nobody is looking, and the next visible turn catches up.
    timer = seconds > 0 ? setInterval(() => (typeof document !== 'undefined' && document.hidden ? undefined : void refresh()), seconds * 1000) : undefined
  }

  watch(refreshSeconds, schedule, { immediate: true })
  void refresh()
  if (getCurrentScope()) onScopeDispose(() => clearInterval(timer))

  return { data, loading, error, refresh }
}
