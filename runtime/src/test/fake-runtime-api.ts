import type { LeasedJob, RuntimePlugin } from '@2bot/contracts'
import { RuntimeApiError, type RuntimeApi } from '../worker/runtime-api'

/** A platform double for the job loop: hands out the queued jobs once, records what the runtime reports. */
export function fakeRuntimeApi(
  queue: LeasedJob[],
  gateways: Record<string, Awaited<ReturnType<RuntimeApi['gateway']>>> = {},
  plugins: Record<string, RuntimePlugin> = {},
) {
  /** Each plugin's storage, as the platform keeps it per install. */
  const storage = new Map<string, Record<string, unknown>>()
  const reports: Parameters<RuntimeApi['reportUsage']>[0][] = []
  const finished: string[] = []
  const released: string[] = []
  const failed: { id: string; code: string; message: string }[] = []
  const outputs = new Map<string, unknown>()
  const cancelled = new Set<string>()
  const states = new Map<string, Parameters<RuntimeApi['checkpoint']>[1]['state']>()
  const api: RuntimeApi = {
    async lease(input, signal) {
      const jobs = queue.splice(0, input.max)
      if (jobs.length > 0) return jobs
      // A short long poll, as the platform does: answers at once when aborted, else after a moment.
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', done)
          resolve()
        }
        const timer = setTimeout(done, 50)
        signal?.addEventListener('abort', done, { once: true })
      })
      return queue.splice(0, input.max)
    },
    async stepStarted() {},
    async checkpoint(id, input) {
      if (input.state.status === 'running') return
      finished.push(`${id}:${input.state.status}`)
      outputs.set(id, input.state.lastOutput)
      states.set(id, input.state)
    },
    async heartbeat(id) {
      return { cancelRequested: cancelled.has(id) }
    },
    async release(id) {
      released.push(id)
    },
    async fail(id, input) {
      failed.push({ id, code: input.code, message: input.message })
    },
    async gateway(id) {
      const gateway = gateways[id]
      if (!gateway) throw Object.assign(new Error('no such gateway'), { status: 404 })
      return gateway
    },
    async plugin(slug) {
      const plugin = plugins[slug]
      if (!plugin) throw new RuntimeApiError(404, 'NOT_FOUND', `The plugin "${slug}" is not installed`, 'PLUGIN_NOT_INSTALLED')
      return plugin
    },
    async reportUsage(report) {
      reports.push(report)
      return { recorded: true }
    },
    async pluginStorage(slug, op) {
      const state = storage.get(slug) ?? {}
      storage.set(slug, state)
      if (op.op === 'get') return { value: state[op.key] ?? null }
      if (op.op === 'set') state[op.key] = op.value
      else delete state[op.key]
      return { value: op.op === 'set' ? op.value : null }
    },
  }
  /** The user cancels a run: its next heartbeat says so. */
  const cancel = (id: string) => cancelled.add(id)
  /** Jobs are added after the loop started, as the platform queues them. */
  const enqueue = (...jobs: LeasedJob[]) => queue.push(...jobs)
  return { api, finished, released, failed, outputs, states, storage, reports, enqueue, cancel }
}
