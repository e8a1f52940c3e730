/**
 * "Work arrived for this workspace", so a runtime waiting in a lease call gets it at once instead
 * of at its next poll. In-process only (embedded mode); elsewhere runtimes poll.
 */
export interface JobSignals {
  /** True when a waiting runtime was woken (then nothing else needs to wake the workspace). */
  notify(workspaceId: string): boolean
  wait(workspaceId: string, ms: number, signal?: AbortSignal): Promise<void>
}
