/**
 * Where a user's or organization's workspace runs: a child process (embedded default), Docker via
 * dockerode, or a Nomad job. The API asks for a workspace to be running when work arrives for it.
 */
export interface WorkspaceDriver {
  readonly kind: 'process' | 'docker' | 'nomad' | 'in-process' | 'none'
  /**
   * Starts the workspace's runtime unless it already runs. `issueToken` mints the token the new
   * runtime authenticates with (each start gets a fresh one).
   */
  ensureRunning(workspaceId: string, issueToken: () => Promise<string>): Promise<void>
  stop(workspaceId: string): Promise<void>
  stopAll(): Promise<void>
}

/** For homes where runtimes are started elsewhere (or by tests): work waits in the queue. */
export const noWorkspaceDriver: WorkspaceDriver = {
  kind: 'none',
  async ensureRunning() {},
  async stop() {},
  async stopAll() {},
}
