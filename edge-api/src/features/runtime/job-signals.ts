/**
 * "Work arrived for this workspace", so a runtime waiting in a lease call gets it at once instead
 * of at its next poll. In-process only (embedded mode); elsewhere runtimes poll.
 */
export interface JobSignals {
  /** True when a waiting runtime was woken (then nothing else needs to wake the workspace). */
  notify(workspaceId: string): boolean
  wait(workspaceId: string, ms: number, signal?: AbortSignal): Promise<void>
}

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
