import { getCurrentScope, onScopeDispose, shallowRef } from 'vue'
import { useApi, type Api } from '../../../api/api'

/** Called with the test run's execution and the event that started it (the run's trigger data). */
export type Started = (executionId: string, trigger: Record<string, unknown>) => void

/** Where a test run that waits for a real event stands. */
export type ListenerState = { status: 'idle' } | { status: 'waiting'; listenerId: string; expiresAt: string } | { status: 'started'; executionId: string } | { status: 'expired' }

/**
 * A test run of an event-triggered workflow: the API holds a listener on the trigger's gateway (two
 * minutes), the user sends their bot a message, and the run that message starts is the test run.
 * `start` resolves once the listener exists; `onStarted` gets the execution id and the event when it came.
 * The API is passed in (the component's by default) so tests can hand it a fake server.
 */
export function useTestListener(api: Api = useApi(), pollMs = 1000) {
  const state = shallowRef<ListenerState>({ status: 'idle' })
  let timer: ReturnType<typeof setTimeout> | undefined
  /** Bumped on every start / cancel, so a late answer about an old listener is dropped. */
  let generation = 0

  function cancel() {
    generation++
    clearTimeout(timer)
    timer = undefined
    if (state.value.status === 'waiting') state.value = { status: 'idle' }
  }

  async function poll(serviceId: string, listenerId: string, gen: number, onStarted: Started) {
    if (gen !== generation) return
    try {
      const { listener } = await api.call(api.client.user.services[':id'].listen[':listenerId'].$get({ param: { id: serviceId, listenerId } }))
      if (gen !== generation) return
      if (listener.status === 'started' && listener.executionId) {
        state.value = { status: 'started', executionId: listener.executionId }
        onStarted(listener.executionId, listener.trigger ?? {})
        return
      }
      if (listener.status === 'expired') {
        state.value = { status: 'expired' }
        return
      }
    } catch {
      // A failed poll is tried again; the listener's own expiry ends the wait.
    }
    if (gen === generation) timer = setTimeout(() => void poll(serviceId, listenerId, gen, onStarted), pollMs)
  }

  async function start(serviceId: string, onStarted: Started) {
    cancel()
    const gen = generation
    const { listener } = await api.call(api.client.user.services[':id'].listen.$post({ param: { id: serviceId } }))
    if (gen !== generation) return
    state.value = { status: 'waiting', listenerId: listener.id, expiresAt: listener.expiresAt }
    timer = setTimeout(() => void poll(serviceId, listener.id, gen, onStarted), pollMs)
  }

  if (getCurrentScope()) onScopeDispose(cancel)

  return { state, start, cancel }
}

export type TestListener = ReturnType<typeof useTestListener>
