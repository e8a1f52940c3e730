import type { JobSignals } from './job-signals.port'

export function createJobSignals(): JobSignals {
  const waiters = new Map<string, Set<() => void>>()
  return {
    notify(workspaceId) {
      const set = waiters.get(workspaceId)
      waiters.delete(workspaceId)
      set?.forEach((wake) => wake())
      return (set?.size ?? 0) > 0
    },
    wait(workspaceId, ms, signal) {
      return new Promise<void>((resolve) => {
        let set = waiters.get(workspaceId)
        if (!set) waiters.set(workspaceId, (set = new Set()))
        const done = () => {
          clearTimeout(timer)
          set.delete(done)
          signal?.removeEventListener('abort', done)
          resolve()
        }
        const timer = setTimeout(done, ms)
        set.add(done)
        signal?.addEventListener('abort', done, { once: true })
      })
    },
  }
}
