import { getCurrentScope, onScopeDispose, shallowRef } from 'vue'
import { useApi, type Api } from '../../../api/api'
import { emptyRunState, parseRunEvent, reduceRun, type RunEvent, type RunState } from '../run-state'

/**
 * Follows one execution live for the canvas: the API's server-sent events through the browser's
 * EventSource (same origin, the session cookie goes along). Where that is not possible (the desktop
 * app sends a bearer token, which EventSource cannot) or the stream is refused, it polls instead.
 * The stream closes when the run has finished, on `stop()` and when the owner's scope ends.
 * The API is passed in (the component's by default) so tests can hand it a fake server.
 */
export function useLiveRun(api: Api = useApi(), pollMs = 1000) {
  const state = shallowRef<RunState>(emptyRunState())
  let source: EventSource | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  /** Bumped on every start / stop, so a late answer of an old run is dropped. */
  let generation = 0

  function stop() {
    generation++
    source?.close()
    source = null
    clearTimeout(timer)
    timer = undefined
  }

  function apply(event: RunEvent, gen: number) {
    if (gen !== generation) return
    state.value = reduceRun(state.value, event)
    if (state.value.finished) stop()
  }

  async function poll(serviceId: string, executionId: string, gen: number) {
    if (gen !== generation) return
    try {
      const res = await api.call(api.client.user.services[':id'].executions[':execId'].$get({ param: { id: serviceId, execId: executionId } }))
      apply({ type: 'snapshot', execution: res.execution, steps: res.steps }, gen)
    } catch {
      // Try again below; a run that cannot be read any more stops with the page.
    }
    if (gen === generation && !state.value.finished) timer = setTimeout(() => void poll(serviceId, executionId, gen), pollMs)
  }

  async function start(serviceId: string, executionId: string, status: string | null = 'PENDING') {
    stop()
    const gen = generation
    state.value = emptyRunState(executionId, status)
    if (api.platform.kind !== 'browser' || typeof EventSource === 'undefined') {
      void poll(serviceId, executionId, gen)
      return
    }
    const base = (await api.platform.apiBaseUrl()).replace(/\/$/, '')
    if (gen !== generation) return
    const es = new EventSource(`${base}/user/services/${encodeURIComponent(serviceId)}/executions/${encodeURIComponent(executionId)}/events`)
    source = es
    for (const name of ['snapshot', 'step', 'finished']) {
      es.addEventListener(name, (e) => {
        const event = parseRunEvent(name, (e as MessageEvent<string>).data)
        if (event) apply(event, gen)
      })
    }
    es.addEventListener('error', () => {
      // A refused stream (not 200 / not event-stream) is closed for good: fall back to polling.
      // Otherwise the browser reconnects by itself and the next snapshot catches up.
      if (gen === generation && es.readyState === EventSource.CLOSED) {
        source = null
        void poll(serviceId, executionId, gen)
      }
    })
  }

  function reset() {
    stop()
    state.value = emptyRunState()
  }

  if (getCurrentScope()) onScopeDispose(stop)

  return { state, start, stop, reset }
}

export type LiveRun = ReturnType<typeof useLiveRun>
